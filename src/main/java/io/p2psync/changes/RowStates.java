package io.p2psync.changes;

import java.util.ArrayList;
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

/**
 * {@code sync_row_state}: the current version of every tracked row. Kept compactly (docs/storage.md, "A compact
 * log"): the origin as its {@link Origins} number, and the vector NULL when it is just {origin: version}.
 */
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
    private final Origins origins;

    RowStates(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
        this.origins = new Origins(template);
    }

    /** The states with their origins' device ids: {@code s} the state, {@code o} its origin. */
    static final String STATES = "sync_row_state s JOIN sync_origins o ON o.id = s.origin";

    /** A state's fields from the vector on, as {@link #vector} and the {@link RowState} constructor take them. */
    static final String FIELDS = "s.vector, o.device_id, s.version, s.hlc, s.deleted, s.column_clocks, s.column_hashes";

    private static final String COLUMNS = "s.table_name, s.record_id, " + FIELDS;
    private static final RowMapper<RowState> STATE = (rs, n) -> new RowState(rs.getString(1), rs.getString(2),
            vector(rs.getString(3), rs.getString(4), rs.getLong(5)), rs.getString(4), rs.getLong(5), rs.getLong(6),
            rs.getInt(7) != 0, rs.getString(8), rs.getString(9));

    /** A stored vector: NULL stands for {origin: version}. */
    static VersionVector vector(String stored, String origin, long version) {
        return stored == null ? VersionVector.EMPTY.with(origin, version) : VersionVector.parse(stored);
    }

    /** The vector as stored: NULL when it is just {origin: version}, as for every row one device alone wrote. */
    static String storedVector(RowState s) {
        VersionVector v = s.vector();
        return v.size() == 1 && v.get(s.origin()) == s.version() ? null : v.toJson();
    }

    Optional<RowState> find(String table, String recordId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + STATES + " WHERE s.table_name = ? AND s.record_id = ?")
                .params(table, recordId)
                .query(STATE)
                .optional();
    }

    /** The states of those of {@code recordIds} of {@code table} that have one, by record id; one query. */
    Map<String, RowState> findAll(String table, Collection<String> recordIds) {
        Map<String, RowState> found = new HashMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM " + STATES + " WHERE s.table_name = ?"
                        + " AND s.record_id IN (SELECT value FROM json_each(?))")
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
        saveAll(List.of(s));
    }

    /** Saves many states with one prepared statement. */
    void saveAll(Collection<RowState> states) {
        List<String> devices = new ArrayList<>(states.size());
        for (RowState s : states) {
            devices.add(s.origin());
        }
        Map<String, Long> numbers = origins.numbers(devices);
        template.batchUpdate(UPSERT, states, 500, (ps, s) -> {
            ps.setString(1, s.table());
            ps.setString(2, s.recordId());
            ps.setString(3, storedVector(s));
            ps.setLong(4, numbers.get(s.origin()));
            ps.setLong(5, s.version());
            ps.setLong(6, s.hlc());
            ps.setInt(7, s.deleted() ? 1 : 0);
            ps.setString(8, s.columnClocks());
            ps.setString(9, s.columnHashes());
        });
    }
}
