package io.p2psync.p2p.mdns;

import io.p2psync.p2p.core.PeerId;
import java.util.List;

/**
 * A peer heard on the local network.
 *
 * @param peerId the peer id that every one of {@code multiaddrs} ends in
 * @param multiaddrs the peer's advertised addresses, each in full form ending in {@code /p2p/<peerId>},
 *     never empty
 */
public record DiscoveredPeer(PeerId peerId, List<String> multiaddrs) {

    public DiscoveredPeer {
        if (peerId == null) {
            throw new IllegalArgumentException("peer id is required");
        }
        multiaddrs = List.copyOf(multiaddrs);
        if (multiaddrs.isEmpty()) {
            throw new IllegalArgumentException("a discovered peer has at least one address");
        }
    }
}
