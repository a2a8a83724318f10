package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The router's overlay state per topic (gossipsub-v1.0.md, "Peering State"; v1.1 "PRUNE Backoff"):
 * {@code mesh[topic]} for joined topics, {@code fanout[topic]} with the last publish time for topics published
 * to but not joined, and the backoff until which a peer must not be grafted in a topic. Sets keep insertion order, so
 * runs with the same keys and random seed choose the same peers. Not thread-safe: the router guards it.
 */
final class Mesh {

    private final Clock clock;
    private final Map<String, Set<PeerId>> mesh = new HashMap<>();
    private final Map<String, Set<PeerId>> fanout = new HashMap<>();
    private final Map<String, Instant> lastPublished = new HashMap<>();
    private final Map<String, Map<PeerId, Instant>> backoff = new HashMap<>();

    Mesh(Clock clock) {
        this.clock = clock;
    }

    // ---- mesh

    boolean joined(String topic) {
        return mesh.containsKey(topic);
    }

    /** Starts a mesh for {@code topic}; returns the fanout peers it takes over (JOIN in the spec). */
    Set<PeerId> join(String topic) {
        Set<PeerId> fromFanout = fanout.remove(topic);
        lastPublished.remove(topic);
        mesh.putIfAbsent(topic, new LinkedHashSet<>());
        return fromFanout == null ? Set.of() : fromFanout;
    }

    /** Forgets the mesh of {@code topic}; returns its former members (LEAVE in the spec). */
    Set<PeerId> leave(String topic) {
        Set<PeerId> members = mesh.remove(topic);
        return members == null ? Set.of() : members;
    }

    Set<String> meshTopics() {
        return new TreeSet<>(mesh.keySet());
    }

    /** A copy of {@code mesh[topic]}; empty if the topic is not joined. */
    Set<PeerId> meshPeers(String topic) {
        Set<PeerId> members = mesh.get(topic);
        return members == null ? new LinkedHashSet<>() : new LinkedHashSet<>(members);
    }

    boolean inMesh(String topic, PeerId peer) {
        Set<PeerId> members = mesh.get(topic);
        return members != null && members.contains(peer);
    }

    /** Adds {@code peer} to a joined topic's mesh; false if not joined or already a member. */
    boolean graft(String topic, PeerId peer) {
        Set<PeerId> members = mesh.get(topic);
        return members != null && members.add(peer);
    }

    /** Removes {@code peer} from the topic's mesh and fanout; true if it was in the mesh. */
    boolean prune(String topic, PeerId peer) {
        Set<PeerId> f = fanout.get(topic);
        if (f != null) {
            f.remove(peer);
        }
        Set<PeerId> members = mesh.get(topic);
        return members != null && members.remove(peer);
    }

    /** Removes a disconnected peer from every mesh and fanout; its backoffs stay, as the spec asks. */
    void removePeer(PeerId peer) {
        mesh.values().forEach(s -> s.remove(peer));
        fanout.values().forEach(s -> s.remove(peer));
    }

    // ---- fanout

    Set<String> fanoutTopics() {
        return new TreeSet<>(fanout.keySet());
    }

    /** A copy of {@code fanout[topic]}; empty if there is none. */
    Set<PeerId> fanoutPeers(String topic) {
        Set<PeerId> peers = fanout.get(topic);
        return peers == null ? new LinkedHashSet<>() : new LinkedHashSet<>(peers);
    }

    void addFanout(String topic, PeerId peer) {
        fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(peer);
    }

    void removeFanout(String topic, PeerId peer) {
        Set<PeerId> peers = fanout.get(topic);
        if (peers != null) {
            peers.remove(peer);
        }
    }

    /** Records a publish to a topic not joined, keeping its fanout alive for another TTL. */
    void published(String topic) {
        fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
        lastPublished.put(topic, clock.instant());
    }

    /** Drops the fanout of topics not published to within {@code ttl}; returns them. */
    List<String> expireFanout(Duration ttl) {
        Instant cutoff = clock.instant().minus(ttl);
        List<String> expired = new ArrayList<>();
        for (String topic : fanoutTopics()) {
            Instant last = lastPublished.get(topic);
            if (last == null || last.isBefore(cutoff)) {
                fanout.remove(topic);
                lastPublished.remove(topic);
                expired.add(topic);
            }
        }
        return expired;
    }

    // ---- backoff

    /** Forbids grafting {@code peer} in {@code topic} for {@code duration}; an existing longer backoff stays. */
    void backoff(String topic, PeerId peer, Duration duration) {
        Instant until = clock.instant().plus(duration);
        backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(peer, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** True while {@code peer}'s backoff in {@code topic} runs: a GRAFT from it now is answered with PRUNE. */
    boolean inBackoff(String topic, PeerId peer) {
        return inBackoff(topic, peer, Duration.ZERO);
    }

    /**
     * True while {@code peer}'s backoff plus {@code slack} runs. The side that grafts waits the slack on top, so
     * its GRAFT never reaches the other side before that side's own backoff is over (gossipsub-v1.1.md, "PRUNE
     * Backoff": "plus some slack").
     */
    boolean inBackoff(String topic, PeerId peer, Duration slack) {
        Map<PeerId, Instant> byPeer = backoff.get(topic);
        Instant until = byPeer == null ? null : byPeer.get(peer);
        return until != null && until.plus(slack).isAfter(clock.instant());
    }

    /** Forgets backoffs that have run out, slack included. */
    void expireBackoffs(Duration slack) {
        Instant now = clock.instant().minus(slack);
        Iterator<Map<PeerId, Instant>> topics = backoff.values().iterator();
        while (topics.hasNext()) {
            Map<PeerId, Instant> byPeer = topics.next();
            byPeer.values().removeIf(until -> !until.isAfter(now));
            if (byPeer.isEmpty()) {
                topics.remove();
            }
        }
    }
}
