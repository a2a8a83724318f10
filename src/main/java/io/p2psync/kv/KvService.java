package io.p2psync.kv;

import io.p2psync.changes.ChangeTracker;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Key-value writes, each sealed into the change log in the same transaction. Public for the seed-protocol
 * bridge in {@code live}, which writes timestamped values from other nodes with {@link #putIfNewer} and
 * {@link #deleteIfNewer}.
 */
@Service
public class KvService {

    private final KvRepository repository;
    private final ChangeTracker tracker;
    private final Clock clock;

    KvService(KvRepository repository, ChangeTracker tracker) {
        this.repository = repository;
        this.tracker = tracker;
        this.clock = Clock.systemUTC();
    }

    @Transactional
    KvEntry put(String key, String value) {
        String now = now();
        repository.put(key, value, now);
        tracker.sealPending();
        return new KvEntry(key, value, now, null);
    }

    /** Answers false if there was no live entry. */
    @Transactional
    boolean delete(String key) {
        boolean deleted = repository.softDelete(key, now());
        tracker.sealPending();
        return deleted;
    }

    /**
     * Newest timestamp wins: stores {@code value} with {@code timestamp} if the key is absent or its stored
     * timestamp (of a put or a delete) is older. Captured and sealed like any local write, so it syncs on.
     *
     * @return true if written; false if the stored entry is as new or newer (equal timestamps change nothing,
     *     so two nodes echoing the same write cannot loop)
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
     * Newest timestamp wins for a delete: marks a live key deleted at {@code timestamp} if its stored
     * timestamp is older.
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
        return repository.findById(key).map(e -> Instant.parse(e.timestamp()).isBefore(t)).orElse(true);
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    Optional<KvEntry> get(String key) {
        return repository.findByKeyAndDeletedAtIsNull(key);
    }

    List<KvEntry> list() {
        return repository.findByDeletedAtIsNullOrderByKey();
    }

    private String now() {
        return iso(Instant.now(clock));
    }
}
