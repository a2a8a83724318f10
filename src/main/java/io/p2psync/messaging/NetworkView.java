package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What each connected device last said it is connected to (NETWORK_STATE): the answer to "who can reach X?"
 * without asking anyone. An entry goes when its device disconnects. Bounded by the authorized devices, since
 * only they are heard.
 */
class NetworkView {

    /** Devices one peer may report; more are cut. */
    static final int MAX_REPORTED = 256;

    private final Map<PeerId, Set<PeerId>> connectedOf = new ConcurrentHashMap<>();

    void update(PeerId peer, Set<PeerId> connected) {
        connectedOf.put(peer, connected.stream().limit(MAX_REPORTED).collect(Collectors.toUnmodifiableSet()));
    }

    void forget(PeerId peer) {
        connectedOf.remove(peer);
    }

    /** The peers that said they are connected to {@code target}. */
    Set<PeerId> peersConnectedTo(PeerId target) {
        return connectedOf.entrySet().stream().filter(e -> e.getValue().contains(target)).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** What {@code peer} said it is connected to; empty if nothing. */
    Set<PeerId> connectedOf(PeerId peer) {
        return connectedOf.getOrDefault(peer, Set.of());
    }
}
