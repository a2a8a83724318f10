/**
 * mDNS peer discovery for the local network, per the libp2p spec
 * (<a href="https://github.com/libp2p/specs/blob/master/discovery/mdns.md">discovery/mdns.md</a>): a node
 * asks {@code _p2p._udp.local PTR} on 224.0.0.251:5353 at a configurable interval, answers such questions
 * with a PTR to its random peer name and TXT {@code dnsaddr=<multiaddr>/p2p/<peer id>} records, and tells
 * a {@link io.p2psync.p2p.mdns.PeerDiscoveryListener} about every other peer it hears.
 *
 * <p>Built on Netty's DNS codec; depends only on {@code io.p2psync.p2p.core}. Whether to dial a
 * discovered peer is the caller's decision.
 */
package io.p2psync.p2p.mdns;
