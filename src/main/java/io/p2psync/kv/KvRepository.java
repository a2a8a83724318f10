package io.p2psync.kv;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.Repository;

/** {@code sync_kv} through Spring Data JDBC with the SQLite dialect. */
interface KvRepository extends Repository<KvEntry, String> {

    /**
     * The live entry under {@code key}. Written out rather than derived from the method name: a derived query
     * renders its SQL again on every call, which was most of the CPU time of {@code GET /kv/{key}}.
     */
    @Query("SELECT key, value, timestamp, deleted_at FROM sync_kv WHERE key = :key AND deleted_at IS NULL")
    Optional<KvEntry> findByKeyAndDeletedAtIsNull(String key);

    List<KvEntry> findByDeletedAtIsNullOrderByKey();

    List<KvEntry> findByDeletedAtIsNull(Pageable page);

    Optional<KvEntry> findById(String key);

    /** Inserts or replaces a live value. */
    @Modifying
    @Query("""
            INSERT INTO sync_kv (key, value, timestamp, deleted_at) VALUES (:key, :value, :timestamp, NULL)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, deleted_at = NULL""")
    void put(String key, String value, String timestamp);

    /** Marks a live entry deleted at {@code at}; answers whether there was one. */
    @Modifying
    @Query("UPDATE sync_kv SET deleted_at = :at, timestamp = :at WHERE key = :key AND deleted_at IS NULL")
    boolean softDelete(String key, String at);
}
