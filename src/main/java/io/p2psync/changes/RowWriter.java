package io.p2psync.changes;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Writes a row of a tracked table from an entry: an upsert by primary key, or a delete by record id. Values
 * are decoded with {@link SqlValues} and bound with their own storage class (Long, Double, String, byte[],
 * null), so they are stored bit for bit and keys match by type: the key 5 never matches the text '5'.
 * Callers set the apply guard first, so these writes are not captured.
 *
 * <p>The columns written are those the table has now (read from SQLite's schema, cached until
 * {@link #forget} is called on a schema change), not those it had when tracking began.
 */
@Component
class RowWriter {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    /** Whether the file is UTF-8 encoded; read once, when a row first holds TEXT that is not UTF-8. */
    private volatile Boolean utf8File;
    private final Map<String, List<String>> liveColumns = new ConcurrentHashMap<>();

    RowWriter(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /**
     * Inserts the row, or updates it if a row with its key exists. Local columns missing from the data keep
     * their value (or default); columns in the data that the table lacks are not written and answered.
     *
     * @param recordId the row the data is for: its key values must be the data's, value for value, so an entry
     *                 can never write another row than the one its record id (and its row state) names
     * @return the data's columns this table lacks, in data order, but for those it has dropped (their values are
     *     dropped with them); empty if it has them all
     * @throws IllegalArgumentException if the data does not decode into a row, lacks a key column or holds
     *                                  another key than the record id
     * @throws org.springframework.dao.DataAccessException if SQLite refuses the row (a constraint)
     */
    Set<String> upsert(TrackedTable t, String recordId, String rowJson) {
        Map<String, Object> row = SqlValues.decodeRow(rowJson);
        checkKey(t, recordId, row);
        checkFileHolds(row);
        List<String> have = columns(t);
        Set<String> missing = new LinkedHashSet<>(row.keySet());
        missing.removeAll(have);
        dropUnawaited(t, missing);
        List<String> cols = have.stream().filter(row::containsKey).toList();
        List<String> updates = cols.stream().filter(c -> !t.primaryKey().contains(c)).toList();
        if (t.primaryKey().stream().anyMatch(k -> row.get(k) == null)) {
            // A key column holding NULL (SQLite allows it in a rowid table's composite key): ON CONFLICT never
            // matches a NULL, so the upsert would add a second row. Update the row the key names, else insert.
            List<Object> key = t.primaryKey().stream().map(row::get).toList();
            if (row(t, SqlValues.encodeKey(key)).isEmpty()) {
                jdbc.sql("INSERT INTO " + t.quotedName()
                                + cols.stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " (", ")"))
                                + values(cols, row))
                        .params(bindable(cols, row)).update();
            } else {
                Map<String, Object> values = new LinkedHashMap<>();
                updates.forEach(c -> values.put(c, row.get(c)));
                update(t, SqlValues.encodeKey(key), values);
            }
            return missing;
        }
        jdbc.sql(upsertSql(t, cols, row)).params(bindable(cols, row)).update();
        return missing;
    }

    /**
     * Refuses a row holding TEXT that is not valid UTF-8 when the file is UTF-16 encoded ({@code PRAGMA encoding},
     * which an app can choose only before the file's first table): {@code CAST(? AS TEXT)} would read its bytes
     * as UTF-16 there and write other text. The entry is then held, not written changed.
     *
     * @throws IllegalArgumentException in that case
     */
    private void checkFileHolds(Map<String, Object> row) {
        if (row.values().stream().noneMatch(v -> v instanceof NonUtf8Text)) {
            return;
        }
        Boolean utf8 = utf8File;
        if (utf8 == null) {
            utf8 = "UTF-8".equalsIgnoreCase(jdbc.sql("PRAGMA encoding").query(String.class).single());
            utf8File = utf8;
        }
        if (!utf8) {
            throw new IllegalArgumentException("this file is UTF-16 encoded: it cannot hold TEXT that is not valid "
                    + "UTF-8 with the same bytes");
        }
    }

    /**
     * The placeholder for a value: {@code CAST(? AS TEXT)} for TEXT that is not valid UTF-8, which is bound as
     * its bytes ({@link #bind}) because a JDBC String cannot hold them; {@code ?} for every other value.
     */
    static String placeholder(Object value) {
        return value instanceof NonUtf8Text ? "CAST(? AS TEXT)" : "?";
    }

    /** Binds a value placed with {@link #placeholder}: exactly, with its own storage class. */
    static void bind(java.sql.PreparedStatement ps, int index, Object value) throws java.sql.SQLException {
        if (value instanceof NonUtf8Text text) {
            ps.setBytes(index, text.raw());
        } else {
            ps.setObject(index, value);
        }
    }

    /** The values of {@code cols} in {@code row} as JDBC takes them for their {@link #placeholder}s. */
    static List<Object> bindable(List<String> cols, Map<String, Object> row) {
        return cols.stream().map(c -> bindable(row.get(c))).toList();
    }

    /** A value as JDBC takes it for its {@link #placeholder}. */
    private static Object bindable(Object value) {
        return value instanceof NonUtf8Text text ? text.raw() : value;
    }

    /** {@code VALUES (...)} with the {@link #placeholder} of each of the row's values of {@code cols}. */
    private static String values(List<String> cols, Map<String, Object> row) {
        return cols.stream().map(c -> placeholder(row.get(c))).collect(Collectors.joining(", ", " VALUES (", ")"));
    }

    /** The statement that inserts {@code row}'s values of {@code cols}, or updates the row its key names. */
    private static String upsertSql(TrackedTable t, List<String> cols, Map<String, Object> row) {
        List<String> updates = cols.stream().filter(c -> !t.primaryKey().contains(c)).toList();
        return "INSERT INTO " + t.quotedName()
                + cols.stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " (", ")"))
                + values(cols, row)
                + t.primaryKey().stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " ON CONFLICT (", ")"))
                + (updates.isEmpty() ? " DO NOTHING"
                        : updates.stream().map(c -> TrackedTable.quote(c) + " = excluded." + TrackedTable.quote(c))
                                .collect(Collectors.joining(", ", " DO UPDATE SET ", "")));
    }

    /**
     * Sets some columns of an existing row; nothing happens if there is no such row.
     *
     * @param values column to value; every column must exist
     */
    void update(TrackedTable t, String recordId, Map<String, Object> values) {
        if (values.isEmpty()) {
            return;
        }
        checkFileHolds(values);
        List<String> cols = List.copyOf(values.keySet());
        List<Object> params = new ArrayList<>(bindable(cols, values));
        params.addAll(key(t, recordId));
        jdbc.sql("UPDATE " + t.quotedName() + " SET "
                        + cols.stream().map(c -> TrackedTable.quote(c) + " = " + placeholder(values.get(c)))
                                .collect(Collectors.joining(", "))
                        + " WHERE " + t.keyMatchSql())
                .params(params).update();
    }

    /** Deletes the row; nothing happens if it is not there. */
    void delete(TrackedTable t, String recordId) {
        jdbc.sql("DELETE FROM " + t.quotedName() + " WHERE " + t.keyMatchSql()).params(key(t, recordId)).update();
    }

    /** The row's values in column order, each as its own storage class; empty if there is no such row. */
    Optional<Map<String, Object>> row(TrackedTable t, String recordId) {
        return jdbc.sql("SELECT * FROM " + t.quotedName() + " WHERE " + t.keyMatchSql())
                .params(key(t, recordId))
                .query((rs, n) -> (Map<String, Object>) RowLookup.row(rs))
                .optional();
    }

    /**
     * Inserts new rows (decoded, every column one the table has) with one batched statement per column set.
     *
     * @throws org.springframework.dao.DataAccessException if SQLite refuses a row (a constraint, a key taken)
     */
    void insertAll(TrackedTable t, List<Map<String, Object>> rows) {
        inBatches(rows, (cols, first) -> "INSERT INTO " + t.quotedName()
                + cols.stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " (", ")"))
                + values(cols, first));
    }

    /**
     * Inserts rows (decoded, with a key column none of which is NULL, every column one the table has), or
     * updates the columns they name of the rows their keys name, in the order given; one batched statement
     * per run of rows with the same columns.
     *
     * @throws org.springframework.dao.DataAccessException if SQLite refuses a row (a constraint)
     */
    void upsertAll(TrackedTable t, List<Map<String, Object>> rows) {
        inBatches(rows, (cols, first) -> upsertSql(t, cols, first));
    }

    /** Deletes the rows of a table with a one-column key whose keys are {@code keys}, with one batched statement. */
    void deleteAll(TrackedTable t, List<Object> keys) {
        if (keys.isEmpty()) {
            return;
        }
        template.batchUpdate("DELETE FROM " + t.quotedName() + " WHERE " + TrackedTable.quote(t.primaryKey().get(0))
                + " = ?", keys, 500, (ps, key) -> ps.setObject(1, key));
    }

    /**
     * Runs the statement {@code sql} makes (from the columns and the first row) for each run of consecutive rows
     * with the same columns and the same {@link #placeholder}s, batched.
     */
    private void inBatches(List<Map<String, Object>> rows,
                           java.util.function.BiFunction<List<String>, Map<String, Object>, String> sql) {
        int from = 0;
        while (from < rows.size()) {
            Map<String, Object> first = rows.get(from);
            List<String> cols = List.copyOf(first.keySet());
            int to = from + 1;
            while (to < rows.size() && rows.get(to).keySet().equals(first.keySet()) && samePlaces(cols, rows.get(to), first)) {
                to++;
            }
            checkFileHolds(first); // the run's rows hold such text in the same columns as its first
            template.batchUpdate(sql.apply(cols, first), rows.subList(from, to), 500, (ps, row) -> {
                for (int c = 0; c < cols.size(); c++) {
                    bind(ps, c + 1, row.get(cols.get(c)));
                }
            });
            from = to;
        }
    }

    /** True if {@code a} and {@code b} take the same {@link #placeholder} for every column of {@code cols}. */
    private static boolean samePlaces(List<String> cols, Map<String, Object> a, Map<String, Object> b) {
        for (String c : cols) {
            if ((a.get(c) instanceof NonUtf8Text) != (b.get(c) instanceof NonUtf8Text)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The rows of a table with a one-column key whose key is among {@code keys} (integers or texts, which
     * SQLite and JSON hold alike), by key, each in column order with its own storage class; one query.
     */
    Map<Object, Map<String, Object>> rowsByKey(TrackedTable t, List<Object> keys) {
        String column = t.primaryKey().get(0);
        Map<Object, Map<String, Object>> rows = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return rows;
        }
        return jdbc.sql("SELECT * FROM " + t.quotedName() + " WHERE " + TrackedTable.quote(column)
                        + " IN (SELECT value FROM json_each(?))")
                .param(SqlValues.encodeKey(keys))
                .query((ResultSet rs) -> {
                    String[] names = null;
                    while (rs.next()) {
                        names = names != null ? names : RowLookup.columnNames(rs, 1); // once, not per row
                        Map<String, Object> row = RowLookup.row(rs, names, 1);
                        rows.put(row.get(column), row);
                    }
                    return rows;
                });
    }

    /**
     * Of {@code keys} (integers or texts) of a table with a one-column key, those that have a row, as SQLite
     * holds them; one query that reads the key alone.
     */
    Set<Object> keysPresent(TrackedTable t, List<Object> keys) {
        Set<Object> present = new HashSet<>();
        if (keys.isEmpty()) {
            return present;
        }
        String column = TrackedTable.quote(t.primaryKey().get(0));
        return jdbc.sql("SELECT " + column + " FROM " + t.quotedName() + " WHERE " + column + " IN (SELECT value FROM json_each(?))")
                .param(SqlValues.encodeKey(keys))
                .query((ResultSet rs) -> {
                    while (rs.next()) {
                        present.add(SqlValues.read(rs, 1));
                    }
                    return present;
                });
    }

    /** The row as {@link SqlValues#encodeRow} writes it, empty if there is no such row. */
    Optional<String> read(TrackedTable t, String recordId) {
        return row(t, recordId).map(SqlValues::encodeRow);
    }

    /** The table's columns now, in declaration order. */
    List<String> columns(TrackedTable t) {
        return liveColumns.computeIfAbsent(t.name(), name -> {
            List<String> cols = jdbc.sql("SELECT name FROM pragma_table_info(?) ORDER BY cid").param(name)
                    .query(String.class).list();
            return cols.isEmpty() ? t.columns() : List.copyOf(cols);
        });
    }

    /**
     * The table's generated columns now (VIRTUAL and STORED). The sealer reads rows with {@code SELECT *}, so their
     * values travel in entries; no device writes them, and an entry that names one is not missing a column.
     */
    Set<String> generated(TrackedTable t) {
        // Read each time, not kept: ADD COLUMN … AS (…) VIRTUAL changes no column capture follows, so nothing would
        // say it went stale. Only asked when an entry names columns the table's own list lacks, which is rare.
        return Set.copyOf(jdbc.sql("SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)").param(t.name())
                .query(String.class).list());
    }

    /**
     * Takes out of {@code missing} (columns an entry names that the table lacks) those nothing will ever bring, so
     * no value waits for them: generated columns (SQLite computes them here) and columns this device dropped on
     * purpose (their values go with them). A column dropped while one declared alike came may have been renamed
     * ({@link FormerColumns#unsure()}): its values wait.
     */
    void dropUnawaited(TrackedTable t, Collection<String> missing) {
        if (!missing.isEmpty()) {
            missing.removeAll(generated(t));
            missing.removeIf(t.formerColumns()::surelyDropped);
        }
    }

    /** Forgets what it knew of these tables' columns (after a schema change). */
    void forget(Collection<String> tables) {
        tables.forEach(liveColumns::remove);
    }

    /**
     * Checks that the row holds every key column and that its key is the one the record id names.
     *
     * @throws IllegalArgumentException if not
     */
    static void checkKey(TrackedTable t, String recordId, Map<String, Object> row) {
        List<Object> named = key(t, recordId);
        List<Object> held = new ArrayList<>(named.size());
        for (String k : t.primaryKey()) {
            if (!row.containsKey(k)) {
                throw new IllegalArgumentException("row data lacks key column " + k);
            }
            held.add(row.get(k));
        }
        for (int i = 0; i < named.size(); i++) {
            if (!SqlValues.same(named.get(i), held.get(i))) {
                throw new IllegalArgumentException("the row data's key " + SqlValues.encodeKey(held)
                        + " is not its record id " + recordId);
            }
        }
    }

    /**
     * The key values a record id names ({@link SqlValues#decodeKey}), in key order, each with its own storage
     * class.
     *
     * @throws IllegalArgumentException if it is not such an array or names the wrong number of values
     */
    static List<Object> key(TrackedTable t, String recordId) {
        List<Object> values = SqlValues.decodeKey(recordId);
        if (values.size() != t.primaryKey().size()) {
            throw new IllegalArgumentException("record id of " + t.name() + " needs " + t.primaryKey().size()
                    + " values: " + recordId);
        }
        return values;
    }
}
