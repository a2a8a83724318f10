package io.p2psync.kv;

import io.p2psync.changes.ChangeTracker;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Key-value writes, each sealed into the change log in the same transaction. */
@Service
class KvService {

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

    Optional<KvEntry> get(String key) {
        return repository.findByKeyAndDeletedAtIsNull(key);
    }

    List<KvEntry> list() {
        return repository.findByDeletedAtIsNullOrderByKey();
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
