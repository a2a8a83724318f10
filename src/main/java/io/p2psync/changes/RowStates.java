package io.p2psync.changes;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code sync_row_state}: the current version of every tracked row. */
@Repository
class RowStates {

    private final JdbcClient jdbc;

    RowStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<RowState> find(String table, String recordId) {
        return jdbc.sql("""
                        SELECT table_name, record_id, vector, origin, version, hlc, deleted, column_clocks
                        FROM sync_row_state WHERE table_name = ? AND record_id = ?""")
                .params(table, recordId)
                .query((rs, n) -> new RowState(rs.getString(1), rs.getString(2), VersionVector.parse(rs.getString(3)),
                        rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getInt(7) != 0, rs.getString(8)))
                .optional();
    }

    /** The row's vector, empty for a row never seen. */
    VersionVector vectorOf(String table, String recordId) {
        return find(table, recordId).map(RowState::vector).orElse(VersionVector.EMPTY);
    }

    void save(RowState s) {
        jdbc.sql("""
                        INSERT INTO sync_row_state (table_name, record_id, vector, origin, version, hlc, deleted, column_clocks)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (table_name, record_id) DO UPDATE SET vector = excluded.vector,
                          origin = excluded.origin, version = excluded.version, hlc = excluded.hlc,
                          deleted = excluded.deleted, column_clocks = excluded.column_clocks""")
                .params(s.table(), s.recordId(), s.vector().toJson(), s.origin(), s.version(), s.hlc(),
                        s.deleted() ? 1 : 0, s.columnClocks())
                .update();
    }
}
