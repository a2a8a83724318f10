package io.p2psync.changes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConnection;

/**
 * Reads tracked rows and their states on one connection, inside the caller's write transaction, reusing one
 * prepared statement per query (SQLite has no statement cache across {@code prepareStatement} calls). Values
 * come from {@link ResultSet#getObject}, which follows each value's storage class, so nothing is converted.
 * Close it before the transaction ends.
 *
 * <p>Made with a {@link Statements} cache, the prepared statements outlive the lookup: they stay with the
 * pooled connection and serve the next transaction on it, which spares the sealer of a single write most of
 * its statement preparing. SQLite re-prepares such a statement by itself after a schema change (a
 * {@code SELECT *} then sees an added column); a statement that fails is dropped from the cache.
 */
final class RowLookup implements AutoCloseable {

    private static final String STATE = "SELECT " + RowStates.FIELDS + " FROM " + RowStates.STATES
            + " WHERE s.table_name = ? AND s.record_id = ?";

    private final Connection connection;
    private final Map<String, PreparedStatement> statements;
    private final boolean owned;

    /** A lookup whose statements are closed with it. */
    RowLookup(Connection connection) {
        this.connection = connection;
        this.statements = new HashMap<>();
        this.owned = true;
    }

    /** A lookup that takes its statements from {@code cache}, where they stay for the connection's next use. */
    RowLookup(Connection connection, Statements cache) throws SQLException {
        SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
        this.connection = sqlite;
        this.statements = cache.of(sqlite);
        this.owned = false;
    }

    /**
     * The row with exactly this key as it stands, columns in table order; null if there is none. SQLite matches
     * a key under its column's collation and compares numbers by value, so {@code 'Work'} answers for
     * {@code 'work'} in a {@code NOCASE} key, and {@code 1.0} for {@code 1}; such a row is another record here,
     * and is not taken for this one.
     */
    LinkedHashMap<String, Object> row(TrackedTable t, List<Object> key) throws SQLException {
        String sql = "SELECT * FROM " + t.quotedName() + " WHERE " + t.keyMatchSql();
        PreparedStatement ps = statement(sql);
        try {
            for (int i = 0; i < key.size(); i++) {
                bind(ps, i + 1, key.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LinkedHashMap<String, Object> row = row(rs);
                    if (hasKey(t, row, key)) {
                        return row;
                    }
                }
                return null;
            }
        } catch (SQLException e) {
            throw forget(sql, e);
        }
    }

    /** Keys (or record ids) asked for in one statement at most; a batch of 256 rows takes eight. */
    static final int CHUNK = 32;
    /**
     * The smaller statement for what is left over, padded by repeating its last key; a single row is read with
     * {@link #row} and {@link #state}.
     */
    static final int SMALL_CHUNK = 8;

    /**
     * The rows with these keys as they stand, in the order asked (null where there is none), in a statement
     * per {@value #CHUNK} keys instead of one per key. Each key is matched exactly as {@link #row} matches it
     * ({@code IS}, the key bound with its storage class, the column's affinity applied), through a table of
     * the keys joined on the table's key index, so the answer is what {@link #row} would give for each key.
     */
    List<LinkedHashMap<String, Object>> rows(TrackedTable t, List<List<Object>> keys) throws SQLException {
        return rows(t, keys, new Budget(Long.MAX_VALUE), new boolean[keys.size()]);
    }

    /**
     * As {@link #rows(TrackedTable, List)}, reading no further once the rows read hold more than {@code budget}'s
     * bytes: rows not read are never in memory. {@code known[i]} is set for every key whose answer is in the list
     * (a row, or none); the others were not reached.
     */
    List<LinkedHashMap<String, Object>> rows(TrackedTable t, List<List<Object>> keys, Budget budget, boolean[] known)
            throws SQLException {
        if (keys.size() == 1) { // a single write: the plain look-up, no table of keys to build
            LinkedHashMap<String, Object> row = row(t, keys.get(0));
            budget.spend(row);
            known[0] = true;
            return java.util.Collections.singletonList(row);
        }
        List<LinkedHashMap<String, Object>> out = new ArrayList<>(java.util.Collections.nCopies(keys.size(), null));
        for (int from = 0; from < keys.size(); ) {
            int size = chunk(keys.size() - from);
            String sql = rowsSql(t, size);
            PreparedStatement ps = statement(sql);
            int n = Math.min(size, keys.size() - from);
            try {
                int p = 1;
                for (int i = 0; i < size; i++) {
                    int at = Math.min(i, n - 1); // padding repeats the last key
                    ps.setInt(p++, at);
                    for (Object v : keys.get(from + at)) {
                        bind(ps, p++, v);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    String[] names = null;
                    while (rs.next()) {
                        if (names == null) {
                            names = columnNames(rs, 2);
                        }
                        int at = from + rs.getInt(1);
                        if (out.get(at) == null) { // NULL keys: several rows may match, and row() takes the first
                            LinkedHashMap<String, Object> row = row(rs, names, 2);
                            if (hasKey(t, row, keys.get(at))) {
                                out.set(at, row);
                                known[at] = true;
                            }
                            budget.spend(row);
                            if (budget.spent()) {
                                return out; // this statement's keys not answered yet stay unknown
                            }
                        }
                    }
                }
            } catch (SQLException e) {
                throw forget(sql, e);
            }
            java.util.Arrays.fill(known, from, from + n, true); // every row of these keys was read
            from += n;
        }
        return out;
    }

    /** Whether the row's key columns hold exactly {@code key}'s values, storage class and bytes alike. */
    private static boolean hasKey(TrackedTable t, Map<String, Object> row, List<Object> key) {
        for (int i = 0; i < key.size(); i++) {
            if (!SqlValues.same(row.get(t.primaryKey().get(i)), key.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of row values a look-up may read: spent as rows are read, and spent out past the limit. */
    static final class Budget {

        private final long bytes;
        private long left;

        Budget(long bytes) {
            this.bytes = bytes;
            this.left = bytes;
        }

        /** Bytes of values the rows read so far hold. */
        long used() {
            return bytes - left;
        }

        /** Whether the rows read so far hold more bytes than the budget. */
        boolean spent() {
            return left < 0;
        }

        void spend(Map<String, Object> row) {
            if (row != null) {
                for (Object v : row.values()) {
                    left -= v instanceof byte[] b ? b.length : v instanceof String text ? text.length()
                            : v instanceof NonUtf8Text text ? text.raw().length : 8;
                }
            }
        }
    }

    /**
     * The states of these rows of {@code table}, in the order asked (null for a row never seen), in a
     * statement per {@value #CHUNK} record ids, each matched as {@link #state} matches it.
     */
    List<RowState> states(String table, List<String> recordIds) throws SQLException {
        if (recordIds.size() == 1) {
            return java.util.Collections.singletonList(state(table, recordIds.get(0)));
        }
        List<RowState> out = new ArrayList<>(recordIds.size());
        for (int from = 0; from < recordIds.size(); ) {
            int size = chunk(recordIds.size() - from);
            String sql = statesSql(size);
            PreparedStatement ps = statement(sql);
            int n = Math.min(size, recordIds.size() - from);
            try {
                int p = 1;
                for (int i = 0; i < size; i++) {
                    int at = Math.min(i, n - 1);
                    ps.setInt(p++, at);
                    ps.setString(p++, recordIds.get(from + at));
                }
                ps.setString(p, table);
                for (int i = 0; i < n; i++) {
                    out.add(null);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int at = from + rs.getInt(1);
                        out.set(at, new RowState(table, recordIds.get(at),
                                RowStates.vector(rs.getString(2), rs.getString(3), rs.getLong(4)), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getInt(6) != 0, rs.getString(7),
                                rs.getString(8)));
                    }
                }
            } catch (SQLException e) {
                throw forget(sql, e);
            }
            from += n;
        }
        return out;
    }

    private static int chunk(int left) {
        return left > SMALL_CHUNK ? CHUNK : left > 1 ? SMALL_CHUNK : 1;
    }

    /**
     * {@code WITH sync_wanted(sync_i, sync_k1, …) AS (VALUES (?, ?, …), …) SELECT sync_wanted.sync_i, "t".*
     * FROM sync_wanted JOIN "t" ON "t"."a" IS sync_wanted.sync_k1 AND …}: the columns of a {@code VALUES} table
     * have no affinity, so each comparison applies the key column's affinity to the value, as {@code "a" IS ?}
     * does, and SQLite looks each key up in the table's key index.
     */
    private static String rowsSql(TrackedTable t, int size) {
        int k = t.primaryKey().size();
        StringBuilder sql = new StringBuilder("WITH sync_wanted(sync_i");
        for (int j = 1; j <= k; j++) {
            sql.append(", sync_k").append(j);
        }
        sql.append(") AS (VALUES ");
        String tuple = "(?" + ", ?".repeat(k) + ")";
        for (int i = 0; i < size; i++) {
            sql.append(i == 0 ? "" : ", ").append(tuple);
        }
        sql.append(") SELECT sync_wanted.sync_i, ").append(t.quotedName()).append(".* FROM sync_wanted JOIN ")
                .append(t.quotedName()).append(" ON ");
        for (int j = 0; j < k; j++) {
            sql.append(j == 0 ? "" : " AND ").append(t.quotedName()).append('.')
                    .append(TrackedTable.quote(t.primaryKey().get(j))).append(" IS sync_wanted.sync_k").append(j + 1);
        }
        return sql.toString();
    }

    private static String statesSql(int size) {
        return "WITH sync_wanted(sync_i, sync_id) AS (VALUES " + String.join(", ", java.util.Collections.nCopies(size, "(?, ?)"))
                + ") SELECT sync_wanted.sync_i, " + RowStates.FIELDS + " FROM sync_wanted JOIN sync_row_state s"
                + " ON s.table_name = ? AND s.record_id = sync_wanted.sync_id JOIN sync_origins o ON o.id = s.origin";
    }

    /** The names of the result's columns from column {@code first} on. */
    static String[] columnNames(ResultSet rs, int first) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        String[] names = new String[meta.getColumnCount() - first + 1];
        for (int i = 0; i < names.length; i++) {
            names[i] = meta.getColumnName(first + i);
        }
        return names;
    }

    /** The current row of {@code rs} from column {@code first} on, under {@code names}. */
    static LinkedHashMap<String, Object> row(ResultSet rs, String[] names, int first) throws SQLException {
        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            row.put(names[i], SqlValues.read(rs, first + i));
        }
        return row;
    }

    /** The current row of {@code rs} as column to value, in the result's column order. */
    static LinkedHashMap<String, Object> row(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnName(i), SqlValues.read(rs, i));
        }
        return row;
    }

    /** The row's state, null for a row never seen. */
    RowState state(String table, String recordId) throws SQLException {
        PreparedStatement ps = statement(STATE);
        try {
            ps.setString(1, table);
            ps.setString(2, recordId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new RowState(table, recordId, RowStates.vector(rs.getString(1), rs.getString(2), rs.getLong(3)),
                        rs.getString(2),
                        rs.getLong(3), rs.getLong(4), rs.getInt(5) != 0, rs.getString(6), rs.getString(7));
            }
        } catch (SQLException e) {
            throw forget(STATE, e);
        }
    }

    /**
     * The row as the entry that wrote {@code state} left it, for a state with no {@code column_hashes} (written
     * before they existed, or by a path that does not store them); null if that entry is not here or its data
     * is not in the {@link SqlValues} form.
     */
    Map<String, Object> writtenBy(RowState state) throws SQLException {
        String sql = "SELECT change_data FROM sync_log WHERE origin = " + Origins.ID_OF + " AND version = ?";
        PreparedStatement ps = statement(sql);
        String data;
        try {
            ps.setString(1, state.origin());
            ps.setLong(2, state.version());
            try (ResultSet rs = ps.executeQuery()) {
                data = rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw forget(sql, e);
        }
        if (data == null) {
            return null;
        }
        try {
            return SqlValues.decodeRow(data);
        } catch (IllegalArgumentException notOurForm) {
            return null;
        }
    }

    /**
     * Prepares {@code sql} once for the life of this lookup, or of its connection with a {@link Statements}
     * cache. A caller that runs the statement itself and meets an error passes it to {@link #forget}.
     */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            if (!owned && statements.size() >= Statements.MAX_PER_CONNECTION) {
                closeAll(statements); // tables renamed or dropped leave statements nobody asks for again
            }
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /**
     * Drops the statement of {@code sql} after it failed: SQLite cannot run it again once its table is gone,
     * even when a table of that name comes back. Answers {@code failure} to throw.
     */
    SQLException forget(String sql, SQLException failure) {
        PreparedStatement ps = statements.remove(sql);
        if (ps != null) {
            try {
                ps.close();
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }

    /**
     * Binds a key value with its own storage class (a Long as INTEGER, a String as TEXT, …).
     *
     * @throws IllegalArgumentException for TEXT that is not valid UTF-8, which no key may hold
     *                                  ({@link SqlValues#isSupportedKey})
     */
    static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        Object v = SqlValues.normalize(value);
        if (v instanceof NonUtf8Text text) {
            throw new IllegalArgumentException("a key holding TEXT that is not valid UTF-8 is not supported: " + text);
        }
        if (v == null) {
            ps.setNull(index, Types.NULL);
        } else if (v instanceof Long l) {
            ps.setLong(index, l);
        } else if (v instanceof Double d) {
            ps.setDouble(index, d);
        } else if (v instanceof String s) {
            ps.setString(index, s);
        } else {
            ps.setBytes(index, (byte[]) v);
        }
    }

    /** Closes the statements, unless they belong to a {@link Statements} cache. */
    @Override
    public void close() {
        if (owned) {
            closeAll(statements);
        }
    }

    private static void closeAll(Map<String, PreparedStatement> statements) {
        List<SQLException> failures = new ArrayList<>();
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                failures.add(e);
            }
        }
        statements.clear();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not close a statement", failures.get(0));
        }
    }

    /**
     * Prepared statements per pooled SQLite connection, kept across transactions. A connection is only ever
     * used by one thread at a time, so each connection's statements need no lock of their own; the map of
     * connections is guarded. Statements of connections the pool has closed are dropped when a new connection
     * first asks.
     */
    static final class Statements {

        /** More than this many statements on one connection and they are all closed and prepared anew. */
        static final int MAX_PER_CONNECTION = 128;

        private final Map<SQLiteConnection, Map<String, PreparedStatement>> byConnection = new IdentityHashMap<>();

        synchronized Map<String, PreparedStatement> of(SQLiteConnection connection) {
            Map<String, PreparedStatement> statements = byConnection.get(connection);
            if (statements == null) {
                byConnection.keySet().removeIf(Statements::closed);
                statements = new HashMap<>();
                byConnection.put(connection, statements);
            }
            return statements;
        }

        private static boolean closed(SQLiteConnection connection) {
            try {
                return connection.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }
    }
}
