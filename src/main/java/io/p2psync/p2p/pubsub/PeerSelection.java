package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Which peers the router may choose for a topic, and the random choice among them. A peer is eligible when it
 * announced the topic, has an outbound stream, and the peer filter lets this node exchange data with it; the filter is asked on every
 * use, so authorizing or revoking a device takes effect without reconnecting. Not thread-safe: the router
 * guards it.
 */
final class PeerSelection {

    private final PeerTopics peers;
    private final Mesh mesh;
    private final Predicate<PeerId> peerFilter;
    private final Predicate<PeerId> linked;
    private final Random random;
    private final Duration backoffSlack;

    /**
     * @param linked whether a peer has an outbound stream, open or opening: without one it can be sent nothing
     * @param backoffSlack extra wait on top of a backoff before this side grafts (see {@link Mesh#inBackoff})
     */
    PeerSelection(PeerTopics peers, Mesh mesh, Predicate<PeerId> peerFilter, Predicate<PeerId> linked,
            Random random, Duration backoffSlack) {
        this.peers = peers;
        this.mesh = mesh;
        this.peerFilter = peerFilter;
        this.linked = linked;
        this.random = random;
        this.backoffSlack = backoffSlack;
    }

    boolean mayExchange(PeerId peer) {
        return peerFilter.test(peer);
    }

    /** Authorized peers with a stream that are subscribed to {@code topic}, in connection order; a fresh list. */
    List<PeerId> eligible(String topic) {
        List<PeerId> eligible = new ArrayList<>();
        for (PeerId peer : peers.peersIn(topic)) {
            if (mayExchange(peer) && linked.test(peer)) {
                eligible.add(peer);
            }
        }
        return eligible;
    }

    /** Eligible peers of a joined topic that are not in its mesh and not in backoff (slack included). */
    List<PeerId> graftCandidates(String topic) {
        List<PeerId> candidates = eligible(topic);
        candidates.removeIf(p -> mesh.inMesh(topic, p) || inBackoff(topic, p));
        return candidates;
    }

    /** True while this side must not graft {@code peer} in {@code topic}. */
    boolean inBackoff(String topic, PeerId peer) {
        return mesh.inBackoff(topic, peer, backoffSlack);
    }

    Duration backoffSlack() {
        return backoffSlack;
    }

    /** Up to {@code count} of {@code from}, chosen at random; a fresh list. */
    List<PeerId> pick(List<PeerId> from, int count) {
        List<PeerId> shuffled = new ArrayList<>(from);
        Collections.shuffle(shuffled, random);
        return new ArrayList<>(shuffled.subList(0, Math.max(0, Math.min(count, shuffled.size()))));
    }
}
