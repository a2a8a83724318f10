package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntryRef;
import io.p2psync.kv.KvService;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.MessageListener;
import io.p2psync.p2p.pubsub.PubsubMessage;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.PushResponse;
import java.util.List;
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
            log.warn("dropped a gossip message from {} ({}): the apply queue is full; catching up over REST",
                    a.receivedFrom(), DropReason.OVERLOADED.code());
            if (a.payload() instanceof GossipPayload.Entry e) {
                heads.reload(e.entry().origin());
            }
            catchUp.accept(a.receivedFrom());
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
            log.warn("dropped a gossip message from {} ({}): applying it failed: {}", a.receivedFrom(),
                    DropReason.REFUSED.code(), e.toString());
            if (a.payload() instanceof GossipPayload.Entry entry) {
                heads.reload(entry.entry().origin());
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
            metrics.dropped(DropReason.REFUSED);
            log.warn("dropped gossip entry {} from {} ({}): {}", ref, from, DropReason.REFUSED.code(),
                    outcome.rejections().get(0).reason());
            heads.reload(entry.origin());
            catchUp.accept(from);
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
