package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntriesStored;
import io.p2psync.changes.EntryRef;
import io.p2psync.changes.Operation;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Publishes every entry once it is committed to {@code sync_log}, whether sealed here or relayed (received
 * over REST), as the JSON of the entry; with {@code seed-compat} a {@code sync_kv} change also goes out in
 * the seed protocol's Put/Delete form, after the entry. Entries that arrived by gossip are not published
 * again (see {@link GossipArrivals}). Also moves the in-memory chain heads on.
 */
final class LivePublisher {

    private static final Logger log = LoggerFactory.getLogger(LivePublisher.class);

    private final PayloadCodec codec;
    private final ChainHeads heads;
    private final GossipArrivals arrivals;
    private final boolean seedCompat;
    private final Consumer<byte[]> publish;

    /** @param publish sends one payload on the topic; never throws for a payload within the size limit */
    LivePublisher(PayloadCodec codec, ChainHeads heads, GossipArrivals arrivals, boolean seedCompat,
            Consumer<byte[]> publish) {
        this.codec = codec;
        this.heads = heads;
        this.arrivals = arrivals;
        this.seedCompat = seedCompat;
        this.publish = publish;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void onStored(EntriesStored event) {
        for (ChangeEntry e : event.entries()) {
            heads.advance(e);
            if (arrivals.contains(EntryRef.of(e))) {
                continue;
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
