/**
 * libp2p over QUIC v1 (libp2p/specs quic/README.md) on Netty's QUIC codec, which carries QUIC (quiche) and
 * TLS 1.3 (BoringSSL): the UDP sockets and codec settings for libp2p, the certificate checks with logged
 * refusals, a guard that logs datagrams that cannot be QUIC, and yamux-like close and reset of streams.
 * The host ({@code p2p.host}) turns its connections into libp2p connections. Depends on {@code p2p.core},
 * {@code p2p.tls} and Netty only.
 */
package io.p2psync.p2p.quic;
