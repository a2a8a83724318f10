package io.p2psync.changes;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code sync_row_state}: the current version of every tracked row. */
@Repository
class RowStates {

    private static final String UPSERT = """
            INSERT INTO sync_row_state (table_name, record_id, vector, origin, version, hlc, deleted, column_clocks,
              column_hashes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (table_name, record_id) DO UPDATE SET vector = excluded.vector,
              origin = excluded.origin, version = excluded.version, hlc = excluded.hlc,
              deleted = excluded.deleted, column_clocks = excluded.column_clocks,
              column_hashes = excluded.column_hashes""";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    RowStates(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    private static final String COLUMNS = """
            table_name, record_id, vector, origin, version, hlc, deleted, column_clocks, column_hashes""";
    private static final RowMapper<RowState> STATE = (rs, n) -> new RowState(rs.getString(1), rs.getString(2),
            VersionVector.parse(rs.getString(3)), rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getInt(7) != 0,
            rs.getString(8), rs.getString(9));

    Optional<RowState> find(String table, String recordId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_row_state WHERE table_name = ? AND record_id = ?")
                .params(table, recordId)
                .query(STATE)
                .optional();
    }

    /** The states of those of {@code recordIds} of {@code table} that have one, by record id; one query. */
    Map<String, RowState> findAll(String table, Collection<String> recordIds) {
        Map<String, RowState> found = new HashMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM sync_row_state WHERE table_name = ?"
                        + " AND record_id IN (SELECT value FROM json_each(?))")
                .params(table, SqlValues.encodeKey(List.copyOf(recordIds)))
                .query(STATE)
                .list()
                .forEach(s -> found.put(s.recordId(), s));
        return found;
    }

    /** Of {@code recordIds} of {@code table}, those that have a state here; one query. */
    Set<String> withState(String table, Collection<String> recordIds) {
        return new HashSet<>(jdbc.sql("SELECT record_id FROM sync_row_state WHERE table_name = ?"
                        + " AND record_id IN (SELECT value FROM json_each(?))")
                .params(table, SqlValues.encodeKey(List.copyOf(recordIds)))
                .query(String.class).list());
    }

    /** The row's vector, empty for a row never seen. */
    VersionVector vectorOf(String table, String recordId) {
        return find(table, recordId).map(RowState::vector).orElse(VersionVector.EMPTY);
    }

    void save(RowState s) {
        jdbc.sql(UPSERT)
                .params(s.table(), s.recordId(), s.vector().toJson(), s.origin(), s.version(), s.hlc(),
                        s.deleted() ? 1 : 0, s.columnClocks(), s.columnHashes())
                .update();
    }

    /** Saves many states with one prepared statement. */
    void saveAll(Collection<RowState> states) {
        template.batchUpdate(UPSERT, states, 500, (ps, s) -> {
            ps.setString(1, s.table());
            ps.setString(2, s.recordId());
            ps.setString(3, s.vector().toJson());
            ps.setString(4, s.origin());
            ps.setLong(5, s.version());
            ps.setLong(6, s.hlc());
            ps.setInt(7, s.deleted() ? 1 : 0);
            ps.setString(8, s.columnClocks());
            ps.setString(9, s.columnHashes());
        });
    }
}
