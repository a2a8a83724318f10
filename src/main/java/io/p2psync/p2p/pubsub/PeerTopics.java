package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The connected pubsub peers and the topics each announced ({@code peers.gossipsub[topic]} of the spec).
 * Not thread-safe: the router guards it.
 */
final class PeerTopics {

    private final Map<PeerId, Set<String>> topicsByPeer = new HashMap<>();

    /** @return true if {@code peer} was not known yet */
    boolean add(PeerId peer) {
        return topicsByPeer.putIfAbsent(peer, new HashSet<>()) == null;
    }

    /** Forgets {@code peer}; returns the topics it was in. */
    Set<String> remove(PeerId peer) {
        Set<String> topics = topicsByPeer.remove(peer);
        return topics == null ? Set.of() : topics;
    }

    boolean contains(PeerId peer) {
        return topicsByPeer.containsKey(peer);
    }

    void subscribe(PeerId peer, String topic) {
        topicsByPeer.computeIfAbsent(peer, p -> new HashSet<>()).add(topic);
    }

    void unsubscribe(PeerId peer, String topic) {
        Set<String> topics = topicsByPeer.get(peer);
        if (topics != null) {
            topics.remove(topic);
        }
    }

    boolean isSubscribed(PeerId peer, String topic) {
        Set<String> topics = topicsByPeer.get(peer);
        return topics != null && topics.contains(topic);
    }

    /** Peers subscribed to {@code topic}, in a stable order; a fresh set the caller may change. */
    Set<PeerId> peersIn(String topic) {
        Set<PeerId> peers = new LinkedHashSet<>();
        topicsByPeer.entrySet().stream()
                .filter(e -> e.getValue().contains(topic))
                .map(Map.Entry::getKey)
                .sorted()
                .forEach(peers::add);
        return peers;
    }

    /** All connected peers, sorted; a fresh set. */
    Set<PeerId> all() {
        Set<PeerId> peers = new LinkedHashSet<>();
        topicsByPeer.keySet().stream().sorted().forEach(peers::add);
        return peers;
    }
}
