package io.p2psync.changes;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code sync_held}: entries stored but not applied yet, with their typed reasons. The queries are public so
 * that status, health and metrics can show them; only the applier writes.
 */
@Repository
public class HeldEntries {

    /**
     * Holds that make later entries of their row wait: not one held for an unknown base, which is an entry
     * that has in effect not arrived yet (it is placed against the row as it is when its base is known here),
     * so another device's edit never waits for versions that may never come.
     */
    private static final String BLOCKING = " AND reason <> 'unknown-base'";
    /** Joins a hold {@code h} to its entry in the log, {@code l}. */
    private static final String LOGGED =
            "JOIN sync_origins o ON o.device_id = h.origin JOIN sync_log l ON l.origin = o.id AND l.version = h.version";

    private static final String COLUMNS = "h.origin, h.version, h.table_name, h.record_id, h.reason, h.detail, "
            + "h.partial, h.held_at, h.tries, h.waiting_on";
    private static final RowMapper<Stored> STORED = (rs, n) -> new Stored(new HeldEntry(
            new EntryRef(rs.getString(1), rs.getLong(2)), rs.getString(3), rs.getString(4),
            HoldReason.fromCode(rs.getString(5)), rs.getString(6), rs.getInt(7) != 0,
            Instant.ofEpochMilli(rs.getLong(8)), rs.getInt(9)), rs.getString(10), 0);
    /** {@link #STORED} with the log id as an 11th column. */
    private static final RowMapper<Stored> STORED_AT = (rs, n) -> {
        Stored s = STORED.mapRow(rs, n);
        return new Stored(s.held(), s.waitingOn(), rs.getLong(11));
    };

    /** A hold, what would release it ({@code waiting_on}) and its entry's place in the log ({@code sync_log.id}, 0 if not read). */
    record Stored(HeldEntry held, String waitingOn, long logId) {
    }

    private final JdbcClient jdbc;

    public HeldEntries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Number of held entries. */
    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM sync_held").query(Long.class).single();
    }

    /** Number of held entries that {@code deviceId} delivered here (its {@code sync_log.received_from}). */
    public long countDeliveredBy(String deviceId) {
        return jdbc.sql("SELECT COUNT(*) FROM sync_held h " + LOGGED
                        + " WHERE l.received_from = " + Origins.ID_OF)
                .param(deviceId).query(Long.class).single();
    }

    /** When the longest-held entry was held; empty when none is. */
    public Optional<java.time.Instant> oldestHeldAt() {
        return jdbc.sql("SELECT held_at FROM sync_held ORDER BY held_at LIMIT 1").query(Long.class).optional()
                .map(java.time.Instant::ofEpochMilli);
    }

    /** Number of held entries per reason; reasons with none are left out. */
    public Map<HoldReason, Long> countsByReason() {
        Map<HoldReason, Long> counts = new EnumMap<>(HoldReason.class);
        jdbc.sql("SELECT reason, COUNT(*) FROM sync_held GROUP BY reason")
                .query((rs, n) -> counts.put(HoldReason.fromCode(rs.getString(1)), rs.getLong(2))).list();
        return counts;
    }

    /** Held entries in log order (oldest first), at most {@code limit}. */
    public List<HeldEntry> list(int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_held h " + LOGGED + " ORDER BY l.id LIMIT ?")
                .param(limit).query(STORED).list().stream().map(Stored::held).toList();
    }

    /** The entry's hold, if it is held. */
    public Optional<HeldEntry> find(EntryRef entry) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_held h WHERE h.origin = ? AND h.version = ?")
                .params(entry.origin(), entry.version()).query(STORED).optional().map(Stored::held);
    }

    boolean any() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_held)").query(Boolean.class).single();
    }

    /** True if an entry of the row is held whole (not partially applied): later entries must wait. */
    boolean blocks(String table, String recordId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_held WHERE table_name = ? AND record_id = ? AND partial = 0"
                        + BLOCKING + ")")
                .params(table, recordId).query(Boolean.class).single();
    }

    /**
     * Holds to retry, in log order, whose entries come after log id {@code afterLogId} (0: from the start);
     * {@code schemaToo} includes schema reasons and holds awaiting an origin's version (those are retried when
     * it arrives, {@link #awaitingUpTo}, and otherwise only with everything else).
     */
    List<Stored> toRetry(boolean schemaToo, long afterLogId, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + ", l.id FROM sync_held h " + LOGGED + " WHERE l.id > ?"
                        + (schemaToo ? "" : " AND h.reason NOT IN ('missing-table', 'missing-column', 'unknown-base')")
                        + " ORDER BY l.id LIMIT ?")
                .params(afterLogId, limit).query(STORED_AT).list();
    }

    /** Holds awaiting a version of {@code origin} at most {@code head}, in log order, at most {@code limit}. */
    List<Stored> awaitingUpTo(String origin, long head, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + ", l.id FROM sync_held h " + LOGGED
                        + " WHERE h.awaits_origin = ? AND h.awaits_version <= ?"
                        + " ORDER BY l.id LIMIT ?")
                .params(origin, head, limit).query(STORED_AT).list();
    }

    /** Holds an entry whose base names {@code version} of {@code origin}, which this device does not have yet. */
    void holdAwaiting(ChangeEntry e, String detail, String origin, long version, long now) {
        jdbc.sql("""
                        INSERT INTO sync_held (origin, version, table_name, record_id, reason, detail, partial, held_at,
                          awaits_origin, awaits_version) VALUES (?, ?, ?, ?, 'unknown-base', ?, 0, ?, ?, ?)
                        ON CONFLICT (origin, version) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
                          waiting_on = NULL, partial = 0, awaits_origin = excluded.awaits_origin,
                          awaits_version = excluded.awaits_version, tries = tries + 1""")
                .params(e.origin(), e.version(), e.table(), e.recordId(), detail, now, origin, version)
                .update();
    }

    /** Rows (table, NUL, record id) with an entry held whole whose log id is at most {@code logId}. */
    java.util.Set<String> rowsHeldWholeUpTo(long logId) {
        return new java.util.HashSet<>(jdbc.sql("SELECT h.table_name || char(0) || h.record_id FROM sync_held h"
                        + " " + LOGGED + " WHERE h.partial = 0 AND l.id <= ?" + BLOCKING)
                .param(logId).query(String.class).list());
    }

    /** The entries of the row held whole (not partially applied). */
    List<EntryRef> wholeHoldsOf(String table, String recordId) {
        return jdbc.sql("SELECT origin, version FROM sync_held WHERE table_name = ? AND record_id = ? AND partial = 0"
                        + BLOCKING)
                .params(table, recordId).query((rs, n) -> new EntryRef(rs.getString(1), rs.getLong(2))).list();
    }

    /** Rows (table, NUL, record id) with an entry held whole for a missing table. */
    java.util.Set<String> rowsWaitingForSchema() {
        return new java.util.HashSet<>(jdbc.sql("SELECT table_name || char(0) || record_id FROM sync_held"
                + " WHERE partial = 0 AND reason = 'missing-table'").query(String.class).list());
    }

    /** Holds an entry, or changes the reason it is held for (counting a try). */
    void hold(ChangeEntry e, HoldReason reason, String detail, String waitingOn, boolean partial, long now) {
        jdbc.sql("""
                        INSERT INTO sync_held (origin, version, table_name, record_id, reason, detail, waiting_on, partial,
                          held_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (origin, version) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
                          waiting_on = excluded.waiting_on, partial = excluded.partial, awaits_origin = NULL,
                          awaits_version = NULL, tries = tries + 1""")
                .params(e.origin(), e.version(), e.table(), e.recordId(), reason.code(), detail, waitingOn,
                        partial ? 1 : 0, now)
                .update();
    }

    void release(EntryRef entry) {
        jdbc.sql("DELETE FROM sync_held WHERE origin = ? AND version = ?").params(entry.origin(), entry.version()).update();
    }

    /** Entries of {@code table} held for columns it lacks ({@code missing-column}). */
    public long countMissingColumns(String table) {
        return jdbc.sql("SELECT count(*) FROM sync_held WHERE table_name = ? AND reason = 'missing-column'").param(table)
                .query(Long.class).single();
    }

    /** True if an entry of {@code table} is held waiting for a column of that exact name ({@code missing-column}). */
    public boolean waitsForColumn(String table, String column) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_held h WHERE h.table_name = ? AND h.reason = 'missing-column'"
                        + " AND json_valid(h.waiting_on) AND EXISTS (SELECT 1 FROM json_each(h.waiting_on) WHERE value = ?))")
                .params(table, column).query(Boolean.class).single();
    }

    /** True if the entry is held. */
    boolean isHeld(String origin, long version) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_held WHERE origin = ? AND version = ?)")
                .params(origin, version).query(Boolean.class).single();
    }
}
