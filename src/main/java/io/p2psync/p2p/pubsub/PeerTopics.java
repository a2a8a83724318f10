package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The connected pubsub peers and the topics each announced ({@code peers.gossipsub[topic]} of the spec).
 * Not thread-safe: the router guards it.
 */
final class PeerTopics {

    /** Any connected peer may announce topics, authorized or not; this bounds what it can make us hold. */
    static final int MAX_TOPICS_PER_PEER = 256;

    /** Connection order, so that runs with the same keys and random seed choose the same peers. */
    private final Map<PeerId, Set<String>> topicsByPeer = new LinkedHashMap<>();

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

    /**
     * Notes that {@code peer} joined {@code topic}.
     *
     * @return false if the peer already announced {@link #MAX_TOPICS_PER_PEER} topics and this one is ignored
     */
    boolean subscribe(PeerId peer, String topic) {
        Set<String> topics = topicsByPeer.computeIfAbsent(peer, p -> new HashSet<>());
        if (topics.size() >= MAX_TOPICS_PER_PEER && !topics.contains(topic)) {
            return false;
        }
        topics.add(topic);
        return true;
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

    /** Peers subscribed to {@code topic}, in the order they connected; a fresh set the caller may change. */
    Set<PeerId> peersIn(String topic) {
        Set<PeerId> peers = new LinkedHashSet<>();
        topicsByPeer.forEach((peer, topics) -> {
            if (topics.contains(topic)) {
                peers.add(peer);
            }
        });
        return peers;
    }

    /** All connected peers, in the order they connected; a fresh set. */
    Set<PeerId> all() {
        return new LinkedHashSet<>(topicsByPeer.keySet());
    }
}
