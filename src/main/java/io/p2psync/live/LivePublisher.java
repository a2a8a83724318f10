package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntriesStored;
import io.p2psync.changes.EntryRef;
import io.p2psync.changes.Operation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Publishes every entry once it is committed to {@code sync_log}, whether sealed here or relayed (received
 * over REST), as the JSON of the entry; with {@code seed-compat} a {@code sync_kv} change also goes out in
 * the seed protocol's Put/Delete form, after the entry. Entries that arrived by gossip are not published
 * again (see {@link GossipArrivals}). Also moves the in-memory chain heads on.
 *
 * <p>This device's own entries go out in version order. Its sealing transactions commit one after another,
 * but each is published after its commit on its own thread (concurrent {@code PUT /kv} requests, the capture
 * poller), so a later commit's entries could go out first; a receiver takes an entry after a gap for a gap,
 * drops it and catches up over REST, and under a burst of concurrent writes nearly every entry went that way.
 * An entry whose predecessors are not out yet now sends them first, read from the log (they are committed: they
 * came first), and they are not sent again when their own event comes.
 */
final class LivePublisher {

    private static final Logger log = LoggerFactory.getLogger(LivePublisher.class);

    private final PayloadCodec codec;
    private final ChainHeads heads;
    private final GossipArrivals arrivals;
    private final boolean seedCompat;
    /** Own entries read from the log ahead of their event, at most per event; a longer gap is left to REST. */
    static final int MOST_SENT_AHEAD = 1_000;

    private final Consumer<byte[]> publish;
    /** This device's id. */
    private final String self;
    /** This device's own entries by version: committed ones the log holds. */
    private final Function<Long, Optional<ChangeEntry>> ownEntry;
    /** The highest version of this device's own entries published or passed over (group parts); guarded by this. */
    private long ownSent;

    /**
     * @param publish  sends one payload on the topic; never throws for a payload within the size limit
     * @param self     this device's id
     * @param ownEntry this device's own committed entry of a version, from the log
     * @param ownHead  the version of this device's last entry in the log now, before anything is published (an
     *                 entry sealed between this read and the listener's start is left to REST, as before)
     */
    LivePublisher(PayloadCodec codec, ChainHeads heads, GossipArrivals arrivals, boolean seedCompat,
            Consumer<byte[]> publish, String self, Function<Long, Optional<ChangeEntry>> ownEntry, long ownHead) {
        this.codec = codec;
        this.heads = heads;
        this.arrivals = arrivals;
        this.seedCompat = seedCompat;
        this.publish = publish;
        this.self = self;
        this.ownEntry = ownEntry;
        this.ownSent = ownHead;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void onStored(EntriesStored event) {
        if (event.local()) {
            publishOwn(event.entries());
            return;
        }
        passOwn(event.entries()); // first: an own seal meanwhile must not read them back and send them too
        event.entries().forEach(this::publishOne);
    }

    /**
     * Entries of this device's own that came back from a peer (a device restored from another's copy) went out as
     * relayed ones: the next own seal must not read them from the log and send them again.
     */
    private synchronized void passOwn(List<ChangeEntry> relayed) {
        for (ChangeEntry e : relayed) {
            if (e.origin().equals(self)) {
                ownSent = Math.max(ownSent, e.version());
            }
        }
    }

    /** This device's entries of one commit, after every earlier one of its own (see the class comment). */
    private synchronized void publishOwn(List<ChangeEntry> entries) {
        for (ChangeEntry e : entries) {
            if (e.version() <= ownSent) {
                continue; // sent ahead of its event, by a later commit's
            }
            if (e.version() - ownSent - 1 <= MOST_SENT_AHEAD) {
                for (long v = ownSent + 1; v < e.version(); v++) {
                    ownEntry.apply(v).ifPresent(this::publishOne);
                }
            }
            publishOne(e);
            ownSent = e.version();
        }
    }

    private void publishOne(ChangeEntry e) {
        heads.advance(e);
        if (arrivals.contains(EntryRef.of(e))) {
            return;
        }
        if (!e.continues()) {
            // Only group ends travel as entries: they are signed. A receiver that lacks the entries before
            // one sees a gap and pulls the group over REST (docs/live.md, "Groups").
            send(codec.encode(e), e);
        }
        if (seedCompat && GossipIntake.KV_TABLE.equals(e.table())) {
            sendSeed(e);
        }
    }

    private void sendSeed(ChangeEntry e) {
        try {
            Map<String, String> row = e.data() == null ? null : codec.kvRow(e.data());
            if (e.operation() == Operation.DELETE || row == null) {
                send(codec.encodeDelete(codec.kvKey(e.recordId()), Instant.ofEpochMilli(e.timestamp())), e);
            } else if (row.get("deleted_at") != null) {
                send(codec.encodeDelete(row.get("key"), Instant.parse(row.get("deleted_at"))), e);
            } else {
                send(codec.encodePut(row.get("key"), row.get("value"), Instant.parse(row.get("timestamp"))), e);
            }
        } catch (RuntimeException bad) {
            log.warn("not publishing {} in the seed format: {}", EntryRef.of(e), bad.toString());
        }
    }

    private void send(byte[] payload, ChangeEntry e) {
        try {
            publish.accept(payload);
        } catch (RuntimeException failed) {
            // Peers still get the entry over REST (catch-up or the scheduled round).
            log.warn("could not publish {}: {}", EntryRef.of(e), failed.getMessage());
        }
    }
}
