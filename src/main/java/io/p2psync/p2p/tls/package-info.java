/**
 * The libp2p TLS 1.3 peer authentication used by the QUIC transport (libp2p/specs tls/tls.md): a
 * self-signed certificate on a throwaway ECDSA P-256 key that carries the host's Ed25519 identity key and
 * its signature over the certificate key in the libp2p Public Key Extension, and the trust manager that
 * checks such a certificate on both sides of a handshake and yields the peer id it proves. The TLS
 * handshake itself is left to the QUIC codec. Depends on {@code p2p.core}, the JDK and BouncyCastle's
 * ASN.1 classes only.
 */
package io.p2psync.p2p.tls;
