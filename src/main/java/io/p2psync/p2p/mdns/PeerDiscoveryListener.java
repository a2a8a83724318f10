package io.p2psync.p2p.mdns;

/**
 * Told about peers found on the local network. Called on the discovery's event loop for every response
 * heard, so the same peer is reported again at each query interval: implementations must be idempotent
 * and must not block.
 */
@FunctionalInterface
public interface PeerDiscoveryListener {

    void peerDiscovered(DiscoveredPeer peer);
}
