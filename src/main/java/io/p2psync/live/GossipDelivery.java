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
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what {@link GossipIntake} accepted, off the network thread, one message at a time in arrival
 * order: an entry through {@link EntryReceiver} (the code path of a REST pull: revoked origins refused, new
 * origins listed as introduced, hash, chain and signature checked again in the transaction); a seed-protocol
 * change through {@link KvService}, ordered by the change log's clock. If an entry does not apply after all, its
 * origin's chain head is reloaded and a REST catch-up with the sender is asked for.
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
        try {
            worker.execute(() -> apply(a));
        } catch (RejectedExecutionException full) {
            metrics.dropped(DropReason.OVERLOADED);
            logDrop(a.receivedFrom(), DropReason.OVERLOADED, "the apply queue is full; catching up over REST");
            if (a.payload() instanceof GossipPayload.Entry e) {
                heads.reload(e.entry().origin());
            }
            catchUp.accept(a.receivedFrom());
        }
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
            if (a.payload() instanceof GossipPayload.Entry e) {
                applyEntry(e.entry(), a.receivedFrom());
            } else if (a.payload() instanceof GossipPayload.SeedPut put) {
                count(kv.putIfNewer(put.key(), put.value(), put.timestamp()));
            } else if (a.payload() instanceof GossipPayload.SeedDelete delete) {
                count(kv.deleteIfNewer(delete.key(), delete.timestamp()));
            }
        } catch (RuntimeException e) {
            metrics.dropped(DropReason.REFUSED);
            logDrop(a.receivedFrom(), DropReason.REFUSED, "applying it failed: " + e);
            if (a.payload() instanceof GossipPayload.Entry entry) {
                heads.reload(entry.entry().origin());
                // not stored (a table waiting for its scan, a busy database): a round fetches it once it can apply
                catchUp.accept(a.receivedFrom());
            }
        }
    }

    private void applyEntry(ChangeEntry entry, PeerId from) {
        EntryRef ref = EntryRef.of(entry);
        arrivals.begin(ref);
        PushResponse outcome;
        try {
            outcome = receiver.receive(List.of(entry), from);
        } finally {
            arrivals.end(ref);
        }
        if (outcome.rejected() > 0) {
            RejectionReason reason = outcome.rejections().get(0).reason();
            metrics.dropped(DropReason.REFUSED);
            logDrop(from, DropReason.REFUSED, "entry " + ref + " was refused: " + reason.code());
            heads.reload(entry.origin());
            if (!REFUSED_WHOEVER_SENDS.contains(reason)) {
                catchUp.accept(from);
            }
        } else if (outcome.duplicates() > 0) {
            metrics.duplicate();
        } else {
            metrics.applied();
        }
    }

    private void count(boolean changed) {
        if (changed) {
            metrics.applied();
        } else {
            metrics.duplicate();
        }
    }
}
