package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.VersionVector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The two reads sync does on every round, written so their cost grows with the number of origins and
 * the entries answered, never with the size of the log: both walk the {@code UNIQUE (device_id, version)}
 * index instead of scanning {@code sync_log}.
 */
@Repository
class SyncLog {

    private static final String COLUMNS = "device_id, version, hlc, timestamp, table_name, record_id, operation,"
            + " kind, change_data, changed_columns, base, prev_hash, hash, signature";

    private static final RowMapper<ChangeEntry> ENTRY = (rs, n) -> new ChangeEntry(rs.getString(1), rs.getLong(2),
            rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6), Operation.valueOf(rs.getString(7)),
            Kind.valueOf(rs.getString(8)), rs.getString(9), rs.getString(10), VersionVector.parse(rs.getString(11)),
            rs.getString(12), rs.getString(13), rs.getString(14));

    /**
     * Skip-scan over the index: each step jumps to the next origin, then reads that origin's highest
     * version from the same index. O(origins × log entries).
     */
    private static final String VECTOR = """
            WITH RECURSIVE origin(id) AS (
                SELECT (SELECT MIN(device_id) FROM sync_log)
                UNION ALL
                SELECT (SELECT MIN(device_id) FROM sync_log WHERE device_id > origin.id) FROM origin
                 WHERE origin.id IS NOT NULL)
            SELECT id, (SELECT MAX(version) FROM sync_log WHERE device_id = origin.id) FROM origin
             WHERE id IS NOT NULL""";

    private final JdbcClient jdbc;

    SyncLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** True if the triggers captured changes that are not sealed into the log yet: one cheap read. */
    boolean hasUnsealedCaptures() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_capture)").query(Boolean.class).single();
    }

    /** Per origin, the highest version held. Versions are stored without gaps, so this is what is known. */
    VersionVector vector() {
        Map<String, Long> heads = new LinkedHashMap<>();
        jdbc.sql(VECTOR).query(rs -> {
            heads.put(rs.getString(1), rs.getLong(2));
        });
        return VersionVector.of(heads);
    }

    /**
     * Entries a device with vector {@code known} lacks, oldest first per origin, origins in id order, at most
     * {@code limit}. Origins whose version in {@code known} is {@link Long#MAX_VALUE} are skipped.
     *
     * @param mine this device's vector, from {@link #vector()}
     */
    List<ChangeEntry> missing(VersionVector mine, VersionVector known, int limit) {
        List<ChangeEntry> out = new ArrayList<>();
        for (Map.Entry<String, Long> head : mine.asMap().entrySet()) {
            long from = known.get(head.getKey());
            if (head.getValue() <= from) {
                continue;
            }
            int room = limit - out.size();
            if (room <= 0) {
                break;
            }
            out.addAll(jdbc.sql("SELECT " + COLUMNS + " FROM sync_log WHERE device_id = ? AND version > ?"
                            + " ORDER BY version LIMIT ?")
                    .params(head.getKey(), from, room)
                    .query(ENTRY)
                    .list());
        }
        return out;
    }
}
