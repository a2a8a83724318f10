package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.P2pStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the router needs from a libp2p host: a new outbound stream to a connected peer. The host negotiates
 * one of {@code protocolIds} with multistream-select, calls the registered {@link GossipsubProtocol}'s
 * {@code initStream} on it, and then completes the future. Implemented by the wiring (e.g.
 * {@code host::newStream}), so this package does not depend on the host class.
 */
@FunctionalInterface
public interface StreamOpener {

    /**
     * @param peer a peer the host is connected to
     * @param protocolIds acceptable protocols, most preferred first
     * @return the negotiated stream, or a future failed if the peer is gone or speaks none of the protocols
     */
    CompletableFuture<P2pStream> open(PeerId peer, List<String> protocolIds);
}
