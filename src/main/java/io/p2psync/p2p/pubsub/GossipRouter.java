package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * wiring reports peers coming and going; {@link GossipsubProtocol} hands it every received RPC. The mesh
 * decisions live in {@link Overlay}, the checks on received messages in {@link MessageGate}, the streams in
 * {@link OutboundStreams}.
 *
 * <p>All state is guarded by this object's lock. Listeners, the drop listener and the {@link StreamOpener} run
 * after the lock is released, on the calling thread (for a received message, the stream's event loop).
 * Peer exchange (PX), peer scoring and outbound-degree quotas of v1.1 are not implemented: this router sends
 * no PX and ignores received PX.
 *
 * <p>Only peers that pass the peer filter ("may exchange data with") get data or control from this router,
 * and messages and control from other peers are dropped; their subscription announcements are still noted,
 * so that a peer authorized later joins the mesh at the next heartbeat.
 */
public final class GossipRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GossipRouter.class);

    private record Subscription<T>(MessageValidator<T> validator, MessageListener<T> listener) {
    }

    private final GossipParams params;
    private final MessageSigner signer;
    private final PeerId self;
    private final Consumer<MessageDrop> dropListener;
    private final MessageIdFunction idFunction;

    private final PeerTopics peers = new PeerTopics();
    private final Mesh mesh;
    private final PeerSelection selection;
    private final SeenCache seen;
    private final MessageCache mcache;
    private final MessageGate gate;
    private final RpcBatch batch;
    private final Overlay overlay;
    private final OutboundStreams streams;
    private final LinkRetries retries;
    private final DropLog dropLog;
    private final Map<String, Subscription<?>> subscriptions = new HashMap<>();
    /** Listener calls decided under the lock, run after it is released. */
    private final List<Runnable> callbacks = new ArrayList<>();
    /** Peers whose reserved outbound stream is to be opened after the lock is released. */
    private final List<PeerId> toOpen = new ArrayList<>();
    private long nextSeqno;
    private ScheduledFuture<?> heartbeatTask;

    private GossipRouter(Builder b) {
        this.params = b.params;
        this.signer = new MessageSigner(b.privateKey);
        this.self = signer.self();
        this.dropListener = b.dropListener;
        this.idFunction = b.idFunction;
        Mesh mesh = new Mesh(b.clock);
        this.streams = new OutboundStreams(b.opener, GossipsubProtocol.PROTOCOL_IDS, params.maxPendingRpcs(),
                params.maxQueuedBytes(), this::streamFailed);
        this.retries = new LinkRetries(b.clock, params.heartbeatInterval());
        this.dropLog = new DropLog(b.clock);
        // the grafting side waits two heartbeats past a backoff, as go does: its GRAFT may leave up to a
        // heartbeat late and must not reach the other side before that side's own backoff is over
        this.selection = new PeerSelection(peers, mesh, b.peerFilter, streams::isLinked, b.random,
                params.heartbeatInterval().multipliedBy(2));
        this.seen = new SeenCache(params.seenTtl(), b.clock);
        this.mcache = new MessageCache(params.historyLength(), params.historyGossip());
        this.gate = new MessageGate(self, params.maxMessageBytes(), seen, idFunction);
        this.batch = new RpcBatch(params.maxRpcBytes());
        this.overlay = new Overlay(params, mesh, peers, selection, seen, mcache, batch);
        // like go: start from the clock in nanoseconds, so seqnos keep growing across restarts
        this.nextSeqno = Math.multiplyExact(b.clock.millis(), 1_000_000L);
        this.mesh = mesh;
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
        subscribe(topic, MessageValidator.ACCEPT_ALL, (message, same) -> listener.accept(message));
    }

    /**
     * Joins {@code topic}: announces it to every peer and grafts up to D of them (JOIN in the spec). Messages
     * that {@code validator} accepts are delivered to {@code listener}, with what the validator answered for
     * them, and forwarded; own messages are not delivered back.
     *
     * @throws IllegalStateException if this router is already subscribed to {@code topic}
     */
    public <T> void subscribe(String topic, MessageValidator<T> validator, MessageListener<T> listener) {
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(listener, "listener");
        locked(() -> {
            if (subscriptions.containsKey(topic)) {
                throw new IllegalStateException("already subscribed to " + topic);
            }
            subscriptions.put(topic, new Subscription<>(validator, listener));
            announce(new Rpc.Subscription(true, topic));
            overlay.join(topic);
        });
    }

    /** Leaves {@code topic}: announces it and prunes the mesh with the unsubscribe backoff. No-op if not joined. */
    public void unsubscribe(String topic) {
        locked(() -> {
            if (subscriptions.remove(topic) != null) {
                announce(new Rpc.Subscription(false, topic));
                overlay.leave(topic);
            }
        });
    }

    /** Topics this router has joined. */
    public synchronized Set<String> topics() {
        return Set.copyOf(subscriptions.keySet());
    }

    /**
     * Signs and sends a message: to every authorized peer in the topic with flood publishing (the default),
     * else to the mesh, or to the fanout for a topic not joined. Own messages are not delivered to own listeners.
     *
     * @return the message's id
     * @throws IllegalArgumentException if {@code data} exceeds {@link GossipParams#maxMessageBytes()}
     */
    public MessageId publish(String topic, byte[] data) {
        if (data.length > params.maxMessageBytes()) {
            throw new IllegalArgumentException(
                    "message of " + data.length + " bytes exceeds the limit of " + params.maxMessageBytes());
        }
        MessageId[] id = new MessageId[1];
        locked(() -> {
            PubsubMessage message = signer.sign(topic, data, nextSeqno++);
            id[0] = idFunction.apply(message);
            seen.add(id[0]);
            mcache.put(id[0], message);
            overlay.publishTargets(topic).forEach(peer -> batch.message(peer, message));
        });
        return id[0];
    }

    // ---- the wiring's side

    /** A connection to {@code peer} is up: opens the outbound stream and announces our topics, if allowed. */
    public void peerConnected(PeerId peer) {
        locked(() -> {
            retries.clear(peer); // a new connection deserves a new attempt at once
            connect(peer);
        });
    }

    /** The last connection to {@code peer} is gone: forgets it everywhere except in backoffs. */
    public void peerDisconnected(PeerId peer) {
        synchronized (this) {
            peers.remove(peer);
            overlay.peerGone(peer);
            retries.clear(peer);
        }
        streams.close(peer);
    }

    /** Processes one RPC received from {@code from} (called by the stream handler, and by tests). */
    void handleRpc(PeerId from, Rpc rpc) {
        locked(() -> {
            connect(from);
            handleSubscriptions(from, rpc.subscriptions());
            if (selection.mayExchange(from)) {
                rpc.messages().forEach(m -> handleMessage(from, m));
                overlay.handle(from, rpc.control());
            } else if (!rpc.messages().isEmpty() || !rpc.control().isEmpty()) {
                dropped(new MessageDrop(from, "", MessageDrop.Reason.UNAUTHORIZED_PEER,
                        rpc.messages().size() + " messages and control from a peer we do not exchange data with"));
            }
        });
    }

    /**
     * One heartbeat (gossipsub-v1.0.md, "Heartbeat"): streams moved off connections that are closing, streams to
     * newly authorized peers, mesh maintenance,
     * fanout maintenance, gossip emission, then the message cache shifts. Called by the scheduler given to
     * {@link #start}, or directly by tests.
     */
    public void heartbeat() {
        locked(() -> {
            streams.dropWindingDown(); // relinked just below, over the connection that replaces theirs
            for (PeerId peer : peers.all()) {
                if (selection.mayExchange(peer) && !streams.isLinked(peer) && retries.due(peer)) {
                    link(peer);
                }
            }
            overlay.heartbeat();
            dropLog.flush();
        });
    }

    /**
     * Outbound streams reset so far because their peer left more than {@link GossipParams#maxQueuedBytes()}
     * unsent (it does not read, or cannot keep up).
     */
    public long outboundOverflows() {
        return streams.overflows();
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

    /** Notes {@code peer} and, if we may exchange data with it, opens its stream unless one is open or due later. */
    private void connect(PeerId peer) {
        if (peer.equals(self)) {
            return;
        }
        boolean isNew = peers.add(peer);
        if (!selection.mayExchange(peer)) {
            if (isNew) {
                // DEBUG: peers that are not authorized connect for identify and ping, and one with a fresh key per
                // connection would otherwise add a line per connection
                log.debug("peer {} may not exchange pubsub data: not opening a stream", peer);
            }
        } else if (!streams.isLinked(peer) && retries.due(peer)) {
            link(peer);
        }
    }

    /**
     * Reserves the outbound stream, so that RPCs queue for it, and queues the hello: every topic we have
     * joined. The stream itself is opened once the lock is released.
     */
    private void link(PeerId peer) {
        if (streams.reserve(peer)) {
            toOpen.add(peer);
        }
        subscriptions.keySet().stream().sorted()
                .forEach(topic -> batch.subscription(peer, new Rpc.Subscription(true, topic)));
    }

    /**
     * No stream could be opened: the peer is gone, does not speak gossipsub, or the attempt failed for a while.
     * It leaves every mesh (it is not eligible without a stream) but keeps its announced topics, and the next
     * attempt waits longer each time, so a peer without gossipsub is not dialled every second.
     */
    private void streamFailed(PeerId peer) {
        synchronized (this) {
            if (!streams.isLinked(peer) && peers.contains(peer)) { // else a newer attempt is under way, or it left
                retries.failed(peer);
                overlay.peerGone(peer);
            }
        }
    }

    /** Tells every peer with a stream that we joined or left a topic. */
    private void announce(Rpc.Subscription change) {
        for (PeerId peer : peers.all()) {
            if (selection.mayExchange(peer) && streams.isLinked(peer)) {
                batch.subscription(peer, change);
            }
        }
    }

    private void handleSubscriptions(PeerId from, List<Rpc.Subscription> changes) {
        for (Rpc.Subscription s : changes) {
            if (!s.subscribe()) {
                peers.unsubscribe(from, s.topic());
                overlay.peerLeft(from, s.topic());
            } else if (!peers.subscribe(from, s.topic())) {
                log.warn("{} announced more than {} topics: ignoring '{}'", from, PeerTopics.MAX_TOPICS_PER_PEER,
                        s.topic());
            }
        }
    }

    // ---- messages

    private void handleMessage(PeerId from, PubsubMessage m) {
        MessageGate.Verdict verdict = check(from, m, subscriptions.get(m.topic()));
        if (!verdict.accepted()) {
            dropped(verdict.drop());
            return;
        }
        mcache.put(verdict.id(), m);
        callbacks.add(verdict.delivery());
        overlay.forwardTargets(m.topic(), from, m.from()).forEach(peer -> batch.message(peer, m));
    }

    private <T> MessageGate.Verdict check(PeerId from, PubsubMessage m, Subscription<T> subscription) {
        return subscription == null ? gate.check(from, m, Optional.empty(), null)
                : gate.check(from, m, Optional.of(subscription.validator()), subscription.listener());
    }

    private void dropped(MessageDrop drop) {
        dropLog.dropped(drop);
        callbacks.add(() -> dropListener.accept(drop));
    }

    // ---- locking

    /**
     * Runs {@code section} under the lock and sends what it batched; then, without the lock, opens the streams
     * it reserved and runs the listeners it queued. The host's stream opening and the application's listeners
     * are foreign code that may block or call back, so they never run while the router holds its lock. Sends
     * stay under the lock so that RPCs to one peer go out in the order they were decided.
     */
    private void locked(Runnable section) {
        List<PeerId> opening;
        List<Runnable> toRun;
        synchronized (this) {
            try {
                section.run();
                batch.flush(streams::send);
            } finally {
                opening = List.copyOf(toOpen);
                toOpen.clear();
                toRun = List.copyOf(callbacks);
                callbacks.clear();
            }
        }
        opening.forEach(streams::startOpening);
        toRun.forEach(GossipRouter::runSafely);
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
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            this.opener = Objects.requireNonNull(opener, "opener");
        }

        public Builder params(GossipParams params) {
            this.params = Objects.requireNonNull(params);
            return this;
        }

        /** The clock for backoffs, fanout TTL, the seen cache and the first seqno (tests move it by hand). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The source of randomness for peer selection (tests seed it). */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /**
         * Which direct peers this node may exchange pubsub data with (default: all). Asked often and with the
         * router's lock held, so it should be a quick in-memory lookup.
         */
        public Builder peerFilter(Predicate<PeerId> peerFilter) {
            this.peerFilter = Objects.requireNonNull(peerFilter);
            return this;
        }

        /** Told of every dropped message, after it is logged (default: nothing). */
        public Builder dropListener(Consumer<MessageDrop> dropListener) {
            this.dropListener = Objects.requireNonNull(dropListener);
            return this;
        }

        /** How message ids are computed (default: as js-libp2p-gossipsub does); the same on every peer. */
        public Builder messageIdFunction(MessageIdFunction idFunction) {
            this.idFunction = Objects.requireNonNull(idFunction);
            return this;
        }

        public GossipRouter build() {
            return new GossipRouter(this);
        }
    }
}
