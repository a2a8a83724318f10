package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gossipsub router (gossipsub-v1.0.md and v1.1.md): the application subscribes and publishes here; the
 * wiring reports peers coming and going; {@link GossipsubProtocol} hands it every received RPC.
 *
 * <p>All state is guarded by this object's lock. Listeners and the drop listener run after the lock is
 * released, on the thread that received the message. Peer exchange (PX), peer scoring and outbound-degree
 * quotas of v1.1 are not implemented: a node here sends no PX and ignores received PX.
 *
 * <p>Only peers that pass the peer filter ("may exchange data with") get data or control from this router,
 * and messages and control from other peers are dropped; their subscription announcements are still noted
 * so that a peer authorized later joins the mesh at the next heartbeat.
 */
public final class GossipRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GossipRouter.class);

    private record Subscription(MessageValidator validator, Consumer<PubsubMessage> listener) {
    }

    private final GossipParams params;
    private final MessageSigner signer;
    private final PeerId self;
    private final Clock clock;
    private final Random random;
    private final Predicate<PeerId> peerFilter;
    private final Consumer<MessageDrop> dropListener;
    private final MessageIdFunction idFunction;

    private final PeerTopics peers = new PeerTopics();
    private final Mesh mesh;
    private final SeenCache seen;
    private final MessageCache mcache;
    private final MessageGate gate;
    private final RpcBatch batch;
    private final OutboundStreams streams;
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    /** IHAVE messages received per peer since the last heartbeat. */
    private final Map<PeerId, Integer> ihaveReceived = new HashMap<>();
    /** Message ids asked for by IWANT per peer since the last heartbeat. */
    private final Map<PeerId, Integer> iwantAsked = new HashMap<>();
    private final List<Runnable> callbacks = new ArrayList<>();
    private long nextSeqno;
    private ScheduledFuture<?> heartbeatTask;

    private GossipRouter(Builder b) {
        this.params = b.params;
        this.signer = new MessageSigner(b.privateKey);
        this.self = signer.self();
        this.clock = b.clock;
        this.random = b.random;
        this.peerFilter = b.peerFilter;
        this.dropListener = b.dropListener;
        this.idFunction = b.idFunction;
        this.mesh = new Mesh(clock);
        this.seen = new SeenCache(params.seenTtl(), clock);
        this.mcache = new MessageCache(params.historyLength(), params.historyGossip());
        this.gate = new MessageGate(self, params.maxMessageBytes(), seen, idFunction);
        this.batch = new RpcBatch(params.maxRpcBytes());
        this.streams = new OutboundStreams(b.opener, GossipsubProtocol.PROTOCOL_IDS, params.maxPendingRpcs(),
                this::streamFailed);
        // like go: start from the clock in nanoseconds, so seqnos keep growing across restarts
        this.nextSeqno = Math.multiplyExact(clock.millis(), 1_000_000L);
    }

    /**
     * @param privateKey this node's key: messages are signed with it and its peer id is {@code from}
     * @param opener opens the outbound stream to a peer (usually the host's new-stream call)
     */
    public static Builder builder(PrivateKey privateKey, StreamOpener opener) {
        return new Builder(privateKey, opener);
    }

    public GossipParams params() {
        return params;
    }

    public PeerId self() {
        return self;
    }

    /** Runs the heartbeat every {@link GossipParams#heartbeatInterval()} on {@code scheduler} until closed. */
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (heartbeatTask != null) {
            throw new IllegalStateException("already started");
        }
        long period = params.heartbeatInterval().toNanos();
        heartbeatTask = scheduler.scheduleAtFixedRate(this::heartbeatSafely, period, period, TimeUnit.NANOSECONDS);
    }

    /** Stops the heartbeat and closes every outbound stream. */
    @Override
    public void close() {
        synchronized (this) {
            if (heartbeatTask != null) {
                heartbeatTask.cancel(false);
            }
        }
        streams.closeAll();
    }

    // ---- the application's side

    /** Joins {@code topic}, delivering every message that passes the router's checks to {@code listener}. */
    public void subscribe(String topic, Consumer<PubsubMessage> listener) {
        subscribe(topic, MessageValidator.ACCEPT_ALL, listener);
    }

    /**
     * Joins {@code topic}: announces it to every peer and grafts up to D of them (JOIN in the spec). Messages
     * that {@code validator} accepts are delivered to {@code listener} and forwarded; own messages are not
     * delivered back.
     *
     * @throws IllegalStateException if this router is already subscribed to {@code topic}
     */
    public void subscribe(String topic, MessageValidator validator, Consumer<PubsubMessage> listener) {
        synchronized (this) {
            if (subscriptions.containsKey(topic)) {
                throw new IllegalStateException("already subscribed to " + topic);
            }
            subscriptions.put(topic, new Subscription(validator, listener));
            for (PeerId peer : linkedPeers()) {
                batch.subscription(peer, new Rpc.Subscription(true, topic));
            }
            Set<PeerId> members = new LinkedHashSet<>();
            mesh.join(topic).stream()
                    .filter(p -> !mesh.inBackoff(topic, p, backoffSlack()) && mayExchange(p))
                    .forEach(members::add);
            List<PeerId> more = graftCandidates(topic);
            more.removeAll(members);
            members.addAll(pick(more, params.d() - members.size()));
            members.forEach(p -> graft(topic, p));
            flush();
        }
    }

    /** Leaves {@code topic}: announces it and prunes the mesh with the unsubscribe backoff. No-op if not joined. */
    public void unsubscribe(String topic) {
        synchronized (this) {
            if (subscriptions.remove(topic) == null) {
                return;
            }
            for (PeerId peer : linkedPeers()) {
                batch.subscription(peer, new Rpc.Subscription(false, topic));
            }
            for (PeerId peer : mesh.leave(topic)) {
                sendPrune(peer, topic, params.unsubscribeBackoff());
            }
            flush();
        }
    }

    /** Topics this router has joined. */
    public synchronized Set<String> topics() {
        return Set.copyOf(subscriptions.keySet());
    }

    /**
     * Signs and sends a message: to every authorized peer in the topic with flood publishing (the default),
     * else to the mesh, or to the fanout for a topic not joined.
     *
     * @return the message's id
     * @throws IllegalArgumentException if {@code data} exceeds {@link GossipParams#maxMessageBytes()}
     */
    public MessageId publish(String topic, byte[] data) {
        if (data.length > params.maxMessageBytes()) {
            throw new IllegalArgumentException(
                    "message of " + data.length + " bytes exceeds the limit of " + params.maxMessageBytes());
        }
        synchronized (this) {
            PubsubMessage message = signer.sign(topic, data, nextSeqno++);
            MessageId id = idFunction.apply(message);
            seen.add(id);
            mcache.put(id, message);
            for (PeerId peer : publishTargets(topic)) {
                batch.message(peer, message);
            }
            flush();
            return id;
        }
    }

    // ---- the wiring's side

    /** A connection to {@code peer} is up: opens the outbound stream and announces our topics, if allowed. */
    public void peerConnected(PeerId peer) {
        synchronized (this) {
            connect(peer);
            flush();
        }
    }

    /** The last connection to {@code peer} is gone: forgets it everywhere except in backoffs. */
    public void peerDisconnected(PeerId peer) {
        synchronized (this) {
            peers.remove(peer);
            mesh.removePeer(peer);
            ihaveReceived.remove(peer);
            iwantAsked.remove(peer);
        }
        streams.close(peer);
    }

    /** Processes one RPC received from {@code from} (called by the stream handler). */
    public void handleRpc(PeerId from, Rpc rpc) {
        List<Runnable> toRun;
        synchronized (this) {
            connect(from);
            handleSubscriptions(from, rpc.subscriptions());
            if (!mayExchange(from)) {
                if (!rpc.messages().isEmpty() || !rpc.control().isEmpty()) {
                    dropped(new MessageDrop(from, "", MessageDrop.Reason.UNAUTHORIZED_PEER,
                            rpc.messages().size() + " messages and control from a peer we do not exchange data with"));
                }
            } else {
                rpc.messages().forEach(m -> handleMessage(from, m));
                handleControl(from, rpc.control());
            }
            flush();
            toRun = takeCallbacks();
        }
        toRun.forEach(GossipRouter::runSafely);
    }

    /**
     * One heartbeat (gossipsub-v1.0.md, "Heartbeat"): mesh maintenance, fanout maintenance, gossip emission,
     * then the message cache shifts. Called by the scheduler given to {@link #start}, or directly by tests.
     */
    public void heartbeat() {
        synchronized (this) {
            ihaveReceived.clear();
            iwantAsked.clear();
            mesh.expireBackoffs(backoffSlack());
            peers.all().stream().filter(this::mayExchange).filter(p -> !streams.isLinked(p)).forEach(this::link);
            mesh.meshTopics().forEach(this::maintainMesh);
            maintainFanout();
            emitGossip();
            mcache.shift();
            flush();
        }
    }

    /** The peers in this router's mesh for {@code topic}; empty if not joined. */
    public synchronized Set<PeerId> meshPeers(String topic) {
        return mesh.meshPeers(topic);
    }

    /** The connected peers known to be subscribed to {@code topic}. */
    public synchronized Set<PeerId> topicPeers(String topic) {
        return peers.peersIn(topic);
    }

    // ---- peers and subscriptions

    private void connect(PeerId peer) {
        if (peer.equals(self) || !peers.add(peer)) {
            return;
        }
        if (mayExchange(peer)) {
            link(peer);
        } else {
            log.info("peer {} may not exchange pubsub data: not opening a stream", peer);
        }
    }

    /**
     * No stream could be opened: the peer is gone or does not speak gossipsub. It is forgotten, so the
     * heartbeat does not dial it again each second; an RPC or a new connection from it brings it back.
     */
    private void streamFailed(PeerId peer) {
        synchronized (this) {
            if (streams.isLinked(peer)) {
                return; // a newer attempt is under way
            }
            peers.remove(peer);
            mesh.removePeer(peer);
        }
    }

    /** Opens the outbound stream and queues the hello: every topic we have joined. */
    private void link(PeerId peer) {
        streams.open(peer);
        subscriptions.keySet().stream().sorted()
                .forEach(topic -> batch.subscription(peer, new Rpc.Subscription(true, topic)));
    }

    private void handleSubscriptions(PeerId from, List<Rpc.Subscription> changes) {
        for (Rpc.Subscription s : changes) {
            if (s.subscribe()) {
                peers.subscribe(from, s.topic());
            } else {
                peers.unsubscribe(from, s.topic());
                mesh.prune(s.topic(), from);
            }
        }
    }

    // ---- messages

    private void handleMessage(PeerId from, PubsubMessage m) {
        Subscription subscription = subscriptions.get(m.topic());
        MessageGate.Verdict verdict = gate.check(from, m,
                Optional.ofNullable(subscription).map(Subscription::validator));
        if (!verdict.accepted()) {
            dropped(verdict.drop());
            return;
        }
        mcache.put(verdict.id(), m);
        callbacks.add(() -> subscription.listener().accept(m));
        for (PeerId peer : mesh.meshPeers(m.topic())) {
            if (!peer.equals(from) && !peer.equals(m.from()) && mayExchange(peer)) {
                batch.message(peer, m);
            }
        }
    }

    private Collection<PeerId> publishTargets(String topic) {
        if (params.floodPublish()) {
            return eligible(topic);
        }
        if (mesh.joined(topic)) {
            return mesh.meshPeers(topic).stream().filter(this::mayExchange).toList();
        }
        mesh.published(topic);
        Set<PeerId> fanout = mesh.fanoutPeers(topic);
        if (fanout.isEmpty()) {
            pick(eligible(topic), params.d()).forEach(p -> mesh.addFanout(topic, p));
            fanout = mesh.fanoutPeers(topic);
        }
        return fanout;
    }

    // ---- control

    private void handleControl(PeerId from, ControlMessage control) {
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

    private void maintainMesh(String topic) {
        for (PeerId peer : mesh.meshPeers(topic)) {
            if (!mayExchange(peer) || !peers.isSubscribed(peer, topic)) {
                mesh.prune(topic, peer); // gone, unsubscribed or no longer authorized: nothing to tell it
            }
        }
        int size = mesh.meshPeers(topic).size();
        if (size < params.dLow()) {
            pick(graftCandidates(topic), params.d() - size).forEach(p -> graft(topic, p));
        } else if (size > params.dHigh()) {
            List<PeerId> members = new ArrayList<>(mesh.meshPeers(topic));
            for (PeerId peer : pick(members, size - params.d())) {
                mesh.prune(topic, peer);
                sendPrune(peer, topic, params.pruneBackoff());
            }
        }
    }

    private void maintainFanout() {
        mesh.expireFanout(params.fanoutTtl());
        for (String topic : mesh.fanoutTopics()) {
            Set<PeerId> fanout = mesh.fanoutPeers(topic);
            for (PeerId peer : fanout) {
                if (!mayExchange(peer) || !peers.isSubscribed(peer, topic)) {
                    mesh.removeFanout(topic, peer);
                }
            }
            int missing = params.d() - mesh.fanoutPeers(topic).size();
            if (missing > 0) {
                List<PeerId> candidates = eligible(topic);
                candidates.removeAll(fanout);
                pick(candidates, missing).forEach(p -> mesh.addFanout(topic, p));
            }
        }
    }

    /** IHAVE to max(D_lazy, gossip factor × eligible) peers in each topic that are outside its mesh and fanout. */
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
            List<PeerId> candidates = eligible(topic);
            candidates.removeAll(mesh.meshPeers(topic));
            candidates.removeAll(mesh.fanoutPeers(topic));
            int count = Math.max(params.dLazy(), (int) Math.ceil(params.gossipFactor() * candidates.size()));
            for (PeerId peer : pick(candidates, count)) {
                batch.ihave(peer, new IHave(topic, ids));
            }
        }
    }

    // ---- helpers

    private boolean mayExchange(PeerId peer) {
        return peerFilter.test(peer);
    }

    /** Authorized peers subscribed to {@code topic}; a fresh list in a stable order. */
    private List<PeerId> eligible(String topic) {
        return new ArrayList<>(peers.peersIn(topic).stream().filter(this::mayExchange).toList());
    }

    private List<PeerId> graftCandidates(String topic) {
        List<PeerId> candidates = eligible(topic);
        candidates.removeIf(p -> mesh.inMesh(topic, p) || mesh.inBackoff(topic, p, backoffSlack()));
        return candidates;
    }

    /** Two heartbeats, as go waits: our GRAFT may go out up to a heartbeat late and arrive a little later. */
    private Duration backoffSlack() {
        return params.heartbeatInterval().multipliedBy(2);
    }

    private List<PeerId> linkedPeers() {
        return peers.all().stream().filter(this::mayExchange).filter(streams::isLinked).toList();
    }

    /** Up to {@code count} of {@code from}, chosen at random. */
    private List<PeerId> pick(List<PeerId> from, int count) {
        List<PeerId> shuffled = new ArrayList<>(from);
        java.util.Collections.shuffle(shuffled, random);
        return shuffled.subList(0, Math.max(0, Math.min(count, shuffled.size())));
    }

    private void flush() {
        batch.flush(streams::send);
    }

    private void dropped(MessageDrop drop) {
        switch (drop.reason()) {
            case DUPLICATE, OWN_MESSAGE -> log.debug("dropped a message from {}: {}", drop.receivedFrom(), drop.detail());
            case IGNORED, NOT_SUBSCRIBED -> log.info("dropped a message from {} on '{}' ({}): {}",
                    drop.receivedFrom(), drop.topic(), drop.reason(), drop.detail());
            default -> log.warn("dropped a message from {} on '{}' ({}): {}",
                    drop.receivedFrom(), drop.topic(), drop.reason(), drop.detail());
        }
        callbacks.add(() -> dropListener.accept(drop));
    }

    private List<Runnable> takeCallbacks() {
        List<Runnable> taken = List.copyOf(callbacks);
        callbacks.clear();
        return taken;
    }

    private void heartbeatSafely() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            log.error("gossipsub heartbeat failed", e); // keep the schedule alive
        }
    }

    private static void runSafely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.error("a pubsub listener failed", e);
        }
    }

    /** Configures a {@link GossipRouter}; only the key and the stream opener are required. */
    public static final class Builder {
        private final PrivateKey privateKey;
        private final StreamOpener opener;
        private GossipParams params = GossipParams.defaults();
        private Clock clock = Clock.systemUTC();
        private Random random = new Random();
        private Predicate<PeerId> peerFilter = peer -> true;
        private Consumer<MessageDrop> dropListener = drop -> { };
        private MessageIdFunction idFunction = MessageIdFunction.PUBLIC_KEY_AND_SEQNO;

        private Builder(PrivateKey privateKey, StreamOpener opener) {
            this.privateKey = java.util.Objects.requireNonNull(privateKey, "privateKey");
            this.opener = java.util.Objects.requireNonNull(opener, "opener");
        }

        public Builder params(GossipParams params) {
            this.params = params;
            return this;
        }

        /** The clock for backoffs, fanout TTL and the seen cache (tests move it by hand). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The source of randomness for peer selection (tests seed it). */
        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        /** Which direct peers this node may exchange pubsub data with (default: all). Asked on every use. */
        public Builder peerFilter(Predicate<PeerId> peerFilter) {
            this.peerFilter = peerFilter;
            return this;
        }

        /** Told of every dropped message, after it is logged (default: nothing). */
        public Builder dropListener(Consumer<MessageDrop> dropListener) {
            this.dropListener = dropListener;
            return this;
        }

        /** How message ids are computed (default: as js-libp2p-gossipsub does); the same on every peer. */
        public Builder messageIdFunction(MessageIdFunction idFunction) {
            this.idFunction = idFunction;
            return this;
        }

        public GossipRouter build() {
            return new GossipRouter(this);
        }
    }
}
