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

    private static final String STATE = """
            SELECT vector, origin, version, hlc, deleted, column_clocks, column_hashes
              FROM sync_row_state WHERE table_name = ? AND record_id = ?""";

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

    /** The row with this key as it stands, columns in table order; null if there is none. */
    LinkedHashMap<String, Object> row(TrackedTable t, List<Object> key) throws SQLException {
        String sql = "SELECT * FROM " + t.quotedName() + " WHERE " + t.keyMatchSql();
        PreparedStatement ps = statement(sql);
        try {
            for (int i = 0; i < key.size(); i++) {
                bind(ps, i + 1, key.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        } catch (SQLException e) {
            throw forget(sql, e);
        }
    }

    /** The current row of {@code rs} as column to value, in the result's column order. */
    static LinkedHashMap<String, Object> row(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnName(i), SqlValues.normalize(rs.getObject(i)));
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
                return new RowState(table, recordId, VersionVector.parse(rs.getString(1)), rs.getString(2),
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
        String sql = "SELECT change_data FROM sync_log WHERE device_id = ? AND version = ?";
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

    /** Binds a value with its own storage class (a Long as INTEGER, a String as TEXT, …). */
    static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        Object v = SqlValues.normalize(value);
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
        static final int MAX_PER_CONNECTION = 64;

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
