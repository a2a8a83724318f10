/**
 * AutoNAT v1 (libp2p/specs {@code autonat/autonat-v1.md}, {@code /libp2p/autonat/1.0.0}): a node asks peers to dial
 * it back at its addresses and learns from their answers whether it is reachable from outside
 * ({@link io.p2psync.p2p.autonat.AutoNatClient}, {@link io.p2psync.p2p.autonat.ReachabilityTracker}); it dials back
 * the peers that ask it, at the IP they are seen at only ({@link io.p2psync.p2p.autonat.AutoNatServer}).
 * Depends on {@code p2p.core}, {@code p2p.host} and {@code p2p.identify} only.
 */
package io.p2psync.p2p.autonat;
