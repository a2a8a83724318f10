package io.p2psync.kv;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.SqlValues;
import io.p2psync.identity.HybridLogicalClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Key-value reads and writes, each write sealed into the change log in the same transaction, and the limits
 * on keys and values. Public for the console, which offers the same operations as {@code /kv}, and for the
 * seed-protocol bridge in {@code live}, which writes timestamped values from other nodes with
 * {@link #putIfNewer} and {@link #deleteIfNewer}.
 *
 * <p>A seed-protocol write carries only a wall-clock timestamp, no version. It is ordered by the change log's
 * own clock: it takes the key only if its timestamp, as a hybrid clock stamp, is later than the stamp of the
 * entry that last wrote the row here. That stamp moved past everything this device had seen when it wrote, so
 * a late echo of a value never undoes a change made on top of it, however the devices' wall clocks differ.
 * The stamp is observed, so a write made here afterwards is later than the seed's.
 */
@Service
public class KvService {

    private static final String TABLE = "sync_kv";

    private final KvRepository repository;
    private final ChangeTracker tracker;
    private final KvSettings limits;
    private final HybridLogicalClock writeClock;
    private final Clock clock;

    KvService(KvRepository repository, ChangeTracker tracker, KvSettings limits, HybridLogicalClock writeClock) {
        this.repository = repository;
        this.tracker = tracker;
        this.limits = limits;
        this.writeClock = writeClock;
        this.clock = Clock.systemUTC();
    }

    /**
     * Stores {@code value} under {@code key}, replacing a live or deleted entry.
     *
     * @throws KvLimitException if the key or the value is over its limit; nothing is written then
     */
    @Transactional
    public KvEntry put(String key, String value) {
        checkKey(key);
        long size = value.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxValueSize().toBytes()) {
            throw new KvLimitException(true,
                    "value is " + size + " bytes; at most " + limits.maxValueSize().toBytes() + " are allowed");
        }
        String now = now();
        repository.put(key, value, now);
        tracker.sealPending();
        return new KvEntry(key, value, now, null);
    }

    /** Answers false if there was no live entry. */
    @Transactional
    public boolean delete(String key) {
        checkKey(key);
        boolean deleted = repository.softDelete(key, now());
        tracker.sealPending();
        return deleted;
    }

    /**
     * Stores {@code value} with {@code timestamp} if the key was never written here or its last write is
     * earlier by the change log's clock (see the class comment). Captured and sealed like any local write, so
     * it syncs on.
     *
     * @return true if written; false if the row's last write is as late or later (an echo of the write that
     *     made the row changes nothing, so two nodes echoing the same write cannot loop)
     */
    @Transactional
    public boolean putIfNewer(String key, String value, Instant timestamp) {
        if (!olderThan(key, timestamp)) {
            return false;
        }
        repository.put(key, value, iso(timestamp));
        tracker.sealPending();
        return true;
    }

    /**
     * The same rule for a delete: marks a live key deleted at {@code timestamp} if its last write is earlier.
     *
     * @return true if a live entry was deleted
     */
    @Transactional
    public boolean deleteIfNewer(String key, Instant timestamp) {
        if (!olderThan(key, timestamp)) {
            return false;
        }
        boolean deleted = repository.softDelete(key, iso(timestamp));
        tracker.sealPending();
        return deleted;
    }

    private boolean olderThan(String key, Instant timestamp) {
        Instant t = timestamp.truncatedTo(ChronoUnit.MILLIS); // as stored, so an echo compares equal
        long stamp = HybridLogicalClock.pack(t.toEpochMilli(), 0);
        OptionalLong lastWrite = tracker.lastWriteClock(TABLE, SqlValues.encodeKey(List.of(key)));
        boolean later = lastWrite.isPresent() ? lastWrite.getAsLong() < stamp
                // a row the log has not sealed yet: only its own timestamp is there to compare with
                : repository.findById(key).map(e -> Instant.parse(e.timestamp()).isBefore(t)).orElse(true);
        if (later) {
            writeClock.observe(stamp);
        }
        return later;
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** The live entry under {@code key}, empty if there is none or it was deleted. */
    public Optional<KvEntry> get(String key) {
        checkKey(key);
        return repository.findByKeyAndDeletedAtIsNull(key);
    }

    /** Every live entry, by key. */
    public List<KvEntry> list() {
        return repository.findByDeletedAtIsNullOrderByKey();
    }

    /** @throws KvLimitException if the key is longer than the limit */
    void checkKey(String key) {
        long size = key.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxKeySize().toBytes()) {
            throw new KvLimitException(false,
                    "key is " + size + " bytes; at most " + limits.maxKeySize().toBytes() + " are allowed");
        }
    }

    private String now() {
        return iso(Instant.now(clock));
    }
}
