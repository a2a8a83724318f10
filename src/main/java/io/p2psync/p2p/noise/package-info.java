/**
 * The {@code /noise} secure channel: Noise_XX_25519_ChaChaPoly_SHA256 with the libp2p handshake
 * payload that binds each side's Noise static key to its libp2p identity key (libp2p/specs
 * noise/README.md). The Noise state machine follows the Noise Protocol Framework, revision 34,
 * sections 5.1 to 5.3; primitives come from the JDK (ChaCha20-Poly1305, HMAC-SHA256, SHA-256) and
 * BouncyCastle (X25519). Depends on {@code p2p.core} and Netty only.
 */
package io.p2psync.p2p.noise;
