package io.p2psync.conflict;

import io.p2psync.changes.VersionVector;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code sync_conflicts}: the conflicts this device has seen. */
@Repository
public class ConflictRepository {

    private static final String COLUMNS = """
            id, table_name, record_id, status, policy, local_data, local_version, local_device_id, local_hlc,
            local_entry, remote_data, remote_version, remote_device_id, remote_hlc, remote_entry, resolution,
            created_at, resolved_at, kind""";

    private static final RowMapper<Conflict> CONFLICT = ConflictRepository::map;

    private final JdbcClient jdbc;

    public ConflictRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A page of conflicts, newest first. */
    public record Page(List<Conflict> items, int page, int size, long total) {
    }

    /** Stores a new conflict; answers it with its id. */
    Conflict insert(Conflict c) {
        long id = jdbc.sql("INSERT INTO sync_conflicts (" + COLUMNS.substring(COLUMNS.indexOf(',') + 1) + """
                        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(c.table(), c.recordId(), c.status().dbValue(), c.policy().name().toLowerCase(java.util.Locale.ROOT),
                        c.local().data(), c.local().version().toJson(), c.local().deviceId(), c.local().hlc(),
                        c.local().entry(), c.remote().data(), c.remote().version().toJson(), c.remote().deviceId(),
                        c.remote().hlc(), c.remote().entry(), c.resolution(), c.createdAt().toString(),
                        c.resolvedAt() == null ? null : c.resolvedAt().toString(), c.kind().dbValue())
                .query(Long.class)
                .single();
        return new Conflict(id, c.table(), c.recordId(), c.status(), c.policy(), c.local(), c.remote(), c.resolution(),
                c.createdAt(), c.resolvedAt(), c.kind());
    }

    public Optional<Conflict> findById(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_conflicts WHERE id = ?").param(id).query(CONFLICT).optional();
    }

    /**
     * Conflicts newest first.
     *
     * @param status only this status, or every status if null
     * @param table  only this table, or every table if null
     * @param page   0-based page number
     */
    public Page find(ConflictStatus status, String table, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (status != null) {
            where.append(" AND status = ?");
            params.add(status.dbValue());
        }
        if (table != null) {
            where.append(" AND table_name = ?");
            params.add(table);
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM sync_conflicts" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<Conflict> items = jdbc.sql("SELECT " + COLUMNS + " FROM sync_conflicts" + where
                        + " ORDER BY id DESC LIMIT ? OFFSET ?")
                .params(pageParams).query(CONFLICT).list();
        return new Page(items, page, size, total);
    }

    /** The pending conflicts of one row, oldest first. */
    List<Conflict> pendingFor(String table, String recordId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_conflicts"
                        + " WHERE table_name = ? AND record_id = ? AND status = 'pending' ORDER BY id")
                .params(table, recordId).query(CONFLICT).list();
    }

    /** The pending conflicts of one kind about a row, or whose remote side is the given entry ({@code origin#version}). */
    List<Conflict> pending(ConflictKind kind, String table, String recordId, String remoteEntry) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_conflicts WHERE status = 'pending' AND kind = ?"
                        + " AND table_name = ? AND (record_id = ? OR remote_entry = ?) ORDER BY id")
                .params(kind.dbValue(), table, recordId, remoteEntry).query(CONFLICT).list();
    }

    public long countPending() {
        return jdbc.sql("SELECT COUNT(*) FROM sync_conflicts WHERE status = 'pending'").query(Long.class).single();
    }

    /**
     * Moves a pending conflict to {@code status}.
     *
     * @return false if the conflict is not pending (or does not exist): nothing changed
     */
    boolean close(long id, ConflictStatus status, String resolution, Instant at) {
        return jdbc.sql("""
                        UPDATE sync_conflicts SET status = ?, resolution = ?, resolved_at = ?
                        WHERE id = ? AND status = 'pending'""")
                .params(status.dbValue(), resolution, at.toString(), id)
                .update() == 1;
    }

    private static Conflict map(ResultSet rs, int n) throws SQLException {
        return new Conflict(rs.getLong("id"), rs.getString("table_name"), rs.getString("record_id"),
                ConflictStatus.fromDb(rs.getString("status")), policy(rs.getString("policy")),
                new Conflict.Side(rs.getString("local_data"), VersionVector.parse(rs.getString("local_version")),
                        rs.getString("local_device_id"), rs.getLong("local_hlc"), rs.getString("local_entry")),
                new Conflict.Side(rs.getString("remote_data"), VersionVector.parse(rs.getString("remote_version")),
                        rs.getString("remote_device_id"), rs.getLong("remote_hlc"), rs.getString("remote_entry")),
                rs.getString("resolution"), instant(rs.getString("created_at")), instant(rs.getString("resolved_at")),
                ConflictKind.fromDb(rs.getString("kind")));
    }

    private static ConflictPolicy policy(String value) {
        return value == null ? ConflictPolicy.TIMESTAMP : ConflictPolicy.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    /** ISO-8601 as this class writes it, or SQLite's CURRENT_TIMESTAMP form (UTC) for rows made elsewhere. */
    private static Instant instant(String value) {
        if (value == null) {
            return null;
        }
        return value.indexOf('T') > 0 ? Instant.parse(value) : Instant.parse(value.replace(' ', 'T') + "Z");
    }
}
