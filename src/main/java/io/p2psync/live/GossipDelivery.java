package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntryRef;
import io.p2psync.kv.KvService;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.MessageListener;
import io.p2psync.p2p.pubsub.PubsubMessage;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.RejectionReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what {@link GossipIntake} accepted, off the network thread, in arrival order: entries through {@link
 * EntryReceiver} (the code path of a REST pull: revoked origins refused, new origins listed as introduced, hash,
 * chain and signature checked again in the transaction); a seed-protocol change through {@link KvService},
 * ordered by the change log's clock. If an entry does not apply after all, its origin's chain head is reloaded
 * and a REST catch-up with the sender is asked for.
 *
 * <p>Entries that wait together (a burst of writes on another device, each its own gossip message) are applied
 * together: the consecutive entry messages of one sender, up to {@value #MOST_AT_ONCE}, go to the receiver as one
 * delivery, in each origin's version order. One write transaction then takes what took one each, and the applier
 * puts an origin's consecutive groups on their rows in bulk. A single write arriving alone goes as before, at once.
 */
final class GossipDelivery implements MessageListener<GossipIntake.Accepted> {

    private static final Logger log = LoggerFactory.getLogger(GossipDelivery.class);

    /** Drops logged per peer and reason at most once in 10 s; the count of the rest goes on the next line. */
    private final io.p2psync.p2p.core.LogSummary<String> drops = new io.p2psync.p2p.core.LogSummary<>(
            java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(10), 256);

    /**
     * Refusals of the origin itself, which the same entries over REST meet again: a catch-up after them pulled a
     * page of that origin only to refuse it, once for every entry of it the peer gossiped.
     */
    private static final Set<RejectionReason> REFUSED_WHOEVER_SENDS = EnumSet.of(RejectionReason.REVOKED_ORIGIN,
            RejectionReason.FORKED_ORIGIN, RejectionReason.ORIGIN_LIMIT);

    /** Entry messages of one sender applied as one delivery, at most. */
    static final int MOST_AT_ONCE = 1_000;

    /** Accepted messages not applied yet, in arrival order; at most {@link LiveConfiguration#APPLY_QUEUE}. */
    private final Queue<GossipIntake.Accepted> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    /** True while a drain of {@link #waiting} is queued or running on the worker. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ExecutorService worker;
    private final EntryReceiver receiver;
    private final KvService kv;
    private final ChainHeads heads;
    private final GossipArrivals arrivals;
    private final LiveMetrics metrics;
    private final Consumer<PeerId> catchUp;

    GossipDelivery(ExecutorService worker, EntryReceiver receiver, KvService kv, ChainHeads heads,
            GossipArrivals arrivals, LiveMetrics metrics, Consumer<PeerId> catchUp) {
        this.worker = worker;
        this.receiver = receiver;
        this.kv = kv;
        this.heads = heads;
        this.arrivals = arrivals;
        this.metrics = metrics;
        this.catchUp = catchUp;
    }

    /** Called by the router for every message the intake accepted, with its verdict, after its lock is released. */
    @Override
    public void deliver(PubsubMessage message, GossipIntake.Accepted a) {
        if (waitingCount.incrementAndGet() > LiveConfiguration.APPLY_QUEUE) {
            waitingCount.decrementAndGet();
            overloaded(a);
            return;
        }
        waiting.add(a);
        startDrain();
    }

    private void overloaded(GossipIntake.Accepted a) {
        metrics.dropped(DropReason.OVERLOADED);
        logDrop(a.receivedFrom(), DropReason.OVERLOADED, "the apply queue is full; catching up over REST");
        if (a.payload() instanceof GossipPayload.Entry e) {
            heads.reload(e.entry().origin());
        }
        catchUp.accept(a.receivedFrom());
    }

    private void startDrain() {
        if (draining.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (RejectedExecutionException shutDown) {
                draining.set(false); // the node is stopping: what waits is caught up after its next start
            }
        }
    }

    /** On the worker: applies what waits, a batch at a time, until nothing does. */
    private void drain() {
        try {
            for (List<GossipIntake.Accepted> batch = nextBatch(); !batch.isEmpty() && !stopping(); batch = nextBatch()) {
                if (batch.get(0).payload() instanceof GossipPayload.Entry) {
                    applyEntries(batch);
                } else {
                    apply(batch.get(0));
                }
            }
        } finally {
            draining.set(false);
            if (!waiting.isEmpty() && !stopping()) {
                startDrain(); // one came after the last look and saw this drain still running
            }
        }
    }

    /** True once the node stops: what still waits is not applied (a catch-up after the next start fetches it). */
    private boolean stopping() {
        return worker.isShutdown() || Thread.currentThread().isInterrupted();
    }

    /**
     * The next message, and if it is an entry, the entry messages of the same sender that follow it, up to
     * {@value #MOST_AT_ONCE}. Only the worker takes from {@link #waiting}.
     */
    private List<GossipIntake.Accepted> nextBatch() {
        GossipIntake.Accepted first = take();
        if (first == null) {
            return List.of();
        }
        List<GossipIntake.Accepted> batch = new ArrayList<>();
        batch.add(first);
        if (first.payload() instanceof GossipPayload.Entry) {
            for (GossipIntake.Accepted next = waiting.peek(); next != null && batch.size() < MOST_AT_ONCE
                    && next.payload() instanceof GossipPayload.Entry && next.receivedFrom().equals(first.receivedFrom());
                    next = waiting.peek()) {
                batch.add(take());
            }
        }
        return batch;
    }

    private GossipIntake.Accepted take() {
        GossipIntake.Accepted a = waiting.poll();
        if (a != null) {
            waitingCount.decrementAndGet();
        }
        return a;
    }

    /** One line for the first drop of a peer and reason, then at most one per 10 s with the count between. */
    private void logDrop(PeerId from, DropReason reason, String detail) {
        long count = drops.event(from + " " + reason.code());
        if (count == 1) {
            log.warn("dropped a gossip message from {} ({}): {}", from, reason.code(), detail);
        } else if (count > 1) {
            log.warn("dropped {} gossip messages from {} ({}) since the last line; the last: {}", count, from,
                    reason.code(), detail);
        }
    }

    private void apply(GossipIntake.Accepted a) {
        try {
            if (a.payload() instanceof GossipPayload.SeedPut put) {
                count(kv.putIfNewer(put.key(), put.value(), put.timestamp()));
            } else if (a.payload() instanceof GossipPayload.SeedDelete delete) {
                count(kv.deleteIfNewer(delete.key(), delete.timestamp()));
            }
        } catch (RuntimeException e) {
            metrics.dropped(DropReason.REFUSED);
            logDrop(a.receivedFrom(), DropReason.REFUSED, "applying it failed: " + e);
        }
    }

    /**
     * Applies the entries of one sender's messages as one delivery. The intake accepts an entry only as the next of
     * its origin, but two network threads may hand accepted messages over in swapped order, which one message at a
     * time met one by one; in one delivery the first out of order would stop its origin. So they go in arrival
     * order, except that an entry brings its origin's earlier entries of the delivery along before it: an entry
     * is never moved behind anything, so one made on top of another origin's still comes after it. If applying
     * fails as a whole (a table waiting for its scan, a busy database), the whole delivery is dropped and one
     * catch-up with the sender fetches it.
     */
    private void applyEntries(List<GossipIntake.Accepted> messages) {
        PeerId from = messages.get(0).receivedFrom();
        List<ChangeEntry> entries = deliveryOrder(messages.stream()
                .map(a -> ((GossipPayload.Entry) a.payload()).entry()).toList());
        List<EntryRef> refs = entries.stream().map(EntryRef::of).toList();
        refs.forEach(arrivals::begin);
        PushResponse outcome;
        try {
            outcome = receiver.receive(entries, from);
        } catch (RuntimeException e) {
            entries.forEach(x -> metrics.dropped(DropReason.REFUSED));
            logDrop(from, DropReason.REFUSED, "applying " + entries.size() + " entries failed: " + e);
            entries.stream().map(ChangeEntry::origin).distinct().forEach(heads::reload);
            // not stored (a table waiting for its scan, a busy database): a round fetches them once it can apply
            catchUp.accept(from);
            return;
        } finally {
            refs.forEach(arrivals::end);
        }
        metrics.applied(entries.size() - outcome.duplicates() - outcome.rejected());
        metrics.duplicates(outcome.duplicates());
        boolean catchUpNeeded = false;
        Set<String> reloaded = new HashSet<>();
        for (PushResponse.Rejection r : outcome.rejections()) {
            metrics.dropped(DropReason.REFUSED);
            logDrop(from, DropReason.REFUSED, "entry " + r.origin() + "/" + r.version() + " was refused: " + r.reason().code());
            if (reloaded.add(r.origin())) {
                heads.reload(r.origin());
            }
            catchUpNeeded |= !REFUSED_WHOEVER_SENDS.contains(r.reason());
        }
        if (catchUpNeeded) {
            catchUp.accept(from);
        }
    }

    /** {@code arrived} in arrival order, each entry preceded by its origin's earlier entries among them. */
    static List<ChangeEntry> deliveryOrder(List<ChangeEntry> arrived) {
        Map<String, List<ChangeEntry>> byOrigin = new LinkedHashMap<>();
        arrived.forEach(e -> byOrigin.computeIfAbsent(e.origin(), o -> new ArrayList<>()).add(e));
        byOrigin.values().forEach(its -> its.sort(Comparator.comparingLong(ChangeEntry::version)));
        Map<String, Integer> taken = new HashMap<>(); // per origin, how many of its sorted entries are out
        List<ChangeEntry> ordered = new ArrayList<>(arrived.size());
        for (ChangeEntry e : arrived) {
            List<ChangeEntry> its = byOrigin.get(e.origin());
            int next = taken.getOrDefault(e.origin(), 0);
            while (next < its.size() && its.get(next).version() <= e.version()) {
                ordered.add(its.get(next++));
            }
            taken.put(e.origin(), next);
        }
        return ordered;
    }

    private void count(boolean changed) {
        if (changed) {
            metrics.applied();
        } else {
            metrics.duplicate();
        }
    }
}
