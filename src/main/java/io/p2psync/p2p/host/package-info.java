/**
 * The libp2p host: listens and dials over TCP, upgrades every connection (multistream-select to
 * {@code /noise}, then to {@code /yamux/1.0.0}), keeps the connections per peer, redials peers it
 * dialled on purpose, and negotiates each stream to a registered {@link io.p2psync.p2p.host.ProtocolHandler}.
 * The rest of the service uses {@link io.p2psync.p2p.host.Host} only. Depends on the other {@code p2p}
 * packages and Netty; never on Spring.
 */
package io.p2psync.p2p.host;
