package io.p2psync.sync;

import io.p2psync.p2p.core.PeerId;
import java.util.Optional;

/**
 * Sync over the live network, when it runs: a channel on the open libp2p connection to a peer. Implemented by
 * the live node, so this package does not depend on it.
 */
public interface Libp2pRoutes {

    /** A channel to {@code peer} if a libp2p connection to it is open now, else empty. */
    Optional<SyncChannel> channelTo(PeerId peer);

    /**
     * Dials {@code peer} at {@code multiaddrs} (addresses learned elsewhere, e.g. from the registry) unless a
     * connection is open, and answers a channel on the connection; empty if none could be made. Blocking.
     */
    default Optional<SyncChannel> dial(PeerId peer, java.util.List<String> multiaddrs) {
        return channelTo(peer);
    }

    /** Whether a libp2p connection to {@code peer} is open now. */
    default boolean reaches(PeerId peer) {
        return channelTo(peer).isPresent();
    }
}
