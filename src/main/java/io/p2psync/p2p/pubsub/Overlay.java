package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gossipsub overlay: who is in which mesh and who gets what. It answers GRAFT, PRUNE, IHAVE and IWANT,
 * joins and leaves topic meshes, chooses the peers a message goes to, and runs the heartbeat's mesh and fanout
 * maintenance and gossip emission (gossipsub-v1.0.md, "Message Processing" and "Heartbeat"; v1.1 backoff and
 * spam limits). What it has to say is put in the shared {@link RpcBatch}. Not thread-safe: the router guards it.
 */
final class Overlay {

    private static final Logger log = LoggerFactory.getLogger(Overlay.class);

    private final GossipParams params;
    private final Mesh mesh;
    private final PeerTopics peers;
    private final PeerSelection selection;
    private final SeenCache seen;
    private final MessageCache mcache;
    private final RpcBatch batch;
    /** IHAVE messages received per peer since the last heartbeat. */
    private final Map<PeerId, Integer> ihaveReceived = new HashMap<>();
    /** Message ids asked for by IWANT per peer since the last heartbeat. */
    private final Map<PeerId, Integer> iwantAsked = new HashMap<>();

    Overlay(GossipParams params, Mesh mesh, PeerTopics peers, PeerSelection selection, SeenCache seen,
            MessageCache mcache, RpcBatch batch) {
        this.params = params;
        this.mesh = mesh;
        this.peers = peers;
        this.selection = selection;
        this.seen = seen;
        this.mcache = mcache;
        this.batch = batch;
    }

    // ---- membership

    /** JOIN: a mesh from the topic's fanout, filled up to D from the eligible peers, each sent a GRAFT. */
    void join(String topic) {
        Set<PeerId> members = new LinkedHashSet<>();
        for (PeerId p : mesh.join(topic)) {
            if (!selection.inBackoff(topic, p) && selection.mayExchange(p)) {
                members.add(p);
            }
        }
        List<PeerId> more = selection.graftCandidates(topic);
        more.removeAll(members);
        members.addAll(selection.pick(more, params.d() - members.size()));
        members.forEach(p -> graft(topic, p));
    }

    /** LEAVE: PRUNE every mesh member with the unsubscribe backoff and forget the mesh. */
    void leave(String topic) {
        for (PeerId peer : mesh.leave(topic)) {
            sendPrune(peer, topic, params.unsubscribeBackoff());
        }
    }

    /** A peer announced it left {@code topic}. */
    void peerLeft(PeerId peer, String topic) {
        mesh.prune(topic, peer);
    }

    /** A peer is gone: out of every mesh and fanout; its backoffs stay. */
    void peerGone(PeerId peer) {
        mesh.removePeer(peer);
        ihaveReceived.remove(peer);
        iwantAsked.remove(peer);
    }

    // ---- routing

    /**
     * Where a message this node publishes goes: every eligible peer with flood publishing; else the mesh of a
     * joined topic; else the topic's fanout, chosen now if there is none.
     */
    List<PeerId> publishTargets(String topic) {
        if (params.floodPublish()) {
            return selection.eligible(topic);
        }
        if (mesh.joined(topic)) {
            return mesh.meshPeers(topic).stream().filter(selection::mayExchange).toList();
        }
        mesh.published(topic);
        if (mesh.fanoutPeers(topic).isEmpty()) {
            selection.pick(selection.eligible(topic), params.d()).forEach(p -> mesh.addFanout(topic, p));
        }
        return List.copyOf(mesh.fanoutPeers(topic));
    }

    /** Where a received, accepted message goes: its topic's mesh, except the peer it came from and its author. */
    List<PeerId> forwardTargets(String topic, PeerId receivedFrom, PeerId author) {
        List<PeerId> targets = new ArrayList<>();
        for (PeerId peer : mesh.meshPeers(topic)) {
            if (!peer.equals(receivedFrom) && !peer.equals(author) && selection.mayExchange(peer)) {
                targets.add(peer);
            }
        }
        return targets;
    }

    // ---- control messages

    void handle(PeerId from, ControlMessage control) {
        control.graft().forEach(g -> handleGraft(from, g.topic()));
        control.prune().forEach(p -> handlePrune(from, p));
        control.ihave().forEach(h -> handleIHave(from, h));
        control.iwant().forEach(w -> handleIWant(from, w));
    }

    private void handleGraft(PeerId from, String topic) {
        if (!mesh.joined(topic) || mesh.inMesh(topic, from)) {
            return; // v1.1: a GRAFT for a topic we are not in is ignored, not answered
        }
        if (mesh.inBackoff(topic, from)) {
            log.debug("{} grafted {} during its backoff: pruning again", from, topic);
            sendPrune(from, topic, params.pruneBackoff());
            return;
        }
        mesh.graft(topic, from);
    }

    private void handlePrune(PeerId from, Prune prune) {
        mesh.prune(prune.topic(), from);
        mesh.backoff(prune.topic(), from, prune.backoff().orElse(params.pruneBackoff()));
    }

    private void handleIHave(PeerId from, IHave ihave) {
        if (!mesh.joined(ihave.topic()) || ihaveReceived.merge(from, 1, Integer::sum) > params.maxIHaveMessages()) {
            return;
        }
        int budget = params.maxIHaveLength() - iwantAsked.getOrDefault(from, 0);
        List<MessageId> wanted = ihave.ids().stream().distinct().filter(id -> !seen.contains(id))
                .limit(Math.max(0, budget)).toList();
        if (!wanted.isEmpty()) {
            iwantAsked.merge(from, wanted.size(), Integer::sum);
            batch.iwant(from, new IWant(wanted));
        }
    }

    private void handleIWant(PeerId from, IWant iwant) {
        for (MessageId id : iwant.ids()) {
            mcache.getForPeer(id, from, params.gossipRetransmission()).ifPresent(m -> batch.message(from, m));
        }
    }

    private void graft(String topic, PeerId peer) {
        if (mesh.graft(topic, peer)) {
            batch.graft(peer, topic);
        }
    }

    private void sendPrune(PeerId peer, String topic, Duration backoff) {
        mesh.backoff(topic, peer, backoff);
        batch.prune(peer, new Prune(topic, List.of(), Optional.of(backoff)));
    }

    // ---- heartbeat

    /** Mesh maintenance, fanout maintenance and gossip emission of one heartbeat; then the cache shifts. */
    void heartbeat() {
        ihaveReceived.clear();
        iwantAsked.clear();
        mesh.expireBackoffs(selection.backoffSlack());
        mesh.meshTopics().forEach(this::maintainMesh);
        maintainFanout();
        emitGossip();
        mcache.shift();
    }

    private void maintainMesh(String topic) {
        for (PeerId peer : mesh.meshPeers(topic)) {
            if (!selection.mayExchange(peer) || !peers.isSubscribed(peer, topic)) {
                mesh.prune(topic, peer); // gone, unsubscribed or no longer authorized: nothing to tell it
            }
        }
        int size = mesh.meshPeers(topic).size();
        if (size < params.dLow()) {
            selection.pick(selection.graftCandidates(topic), params.d() - size).forEach(p -> graft(topic, p));
        } else if (size > params.dHigh()) {
            for (PeerId peer : selection.pick(new ArrayList<>(mesh.meshPeers(topic)), size - params.d())) {
                mesh.prune(topic, peer);
                sendPrune(peer, topic, params.pruneBackoff());
            }
        }
    }

    private void maintainFanout() {
        mesh.expireFanout(params.fanoutTtl());
        for (String topic : mesh.fanoutTopics()) {
            for (PeerId peer : mesh.fanoutPeers(topic)) {
                if (!selection.mayExchange(peer) || !peers.isSubscribed(peer, topic)) {
                    mesh.removeFanout(topic, peer);
                }
            }
            int missing = params.d() - mesh.fanoutPeers(topic).size();
            if (missing > 0) {
                List<PeerId> candidates = selection.eligible(topic);
                candidates.removeAll(mesh.fanoutPeers(topic));
                selection.pick(candidates, missing).forEach(p -> mesh.addFanout(topic, p));
            }
        }
    }

    /** IHAVE to max(D_lazy, gossip factor × candidates) eligible peers per topic outside its mesh and fanout. */
    private void emitGossip() {
        Set<String> topics = new LinkedHashSet<>(mesh.meshTopics());
        topics.addAll(mesh.fanoutTopics());
        for (String topic : topics) {
            List<MessageId> ids = mcache.gossipIds(topic);
            if (ids.isEmpty()) {
                continue;
            }
            if (ids.size() > params.maxIHaveLength()) {
                ids = ids.subList(0, params.maxIHaveLength());
            }
            List<PeerId> candidates = selection.eligible(topic);
            candidates.removeAll(mesh.meshPeers(topic));
            candidates.removeAll(mesh.fanoutPeers(topic));
            int count = Math.max(params.dLazy(), (int) Math.ceil(params.gossipFactor() * candidates.size()));
            for (PeerId peer : selection.pick(candidates, count)) {
                batch.ihave(peer, new IHave(topic, ids));
            }
        }
    }
}
