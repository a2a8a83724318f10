package io.p2psync.kv;

import io.p2psync.changes.ChangeTracker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Key-value reads and writes, each write sealed into the change log in the same transaction, and the limits
 * on keys and values. Public for the console, which offers the same operations as {@code /kv}.
 */
@Service
public class KvService {

    private final KvRepository repository;
    private final ChangeTracker tracker;
    private final KvSettings limits;
    private final Clock clock;

    KvService(KvRepository repository, ChangeTracker tracker, KvSettings limits) {
        this.repository = repository;
        this.tracker = tracker;
        this.limits = limits;
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
        return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
