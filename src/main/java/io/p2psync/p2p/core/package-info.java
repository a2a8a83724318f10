/**
 * Core libp2p types shared by every protocol: Ed25519 keys in the libp2p protobuf encoding, peer ids,
 * multiaddrs, unsigned varints and base58btc; and {@link io.p2psync.p2p.core.LogSummary}, which keeps what
 * a remote peer can make the node log to a few lines per interval. Plain Java on BouncyCastle and protobuf;
 * no Spring, no other package of the project.
 */
package io.p2psync.p2p.core;
