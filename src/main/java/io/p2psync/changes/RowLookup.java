package io.p2psync.changes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tracked rows and their states on one connection, inside the caller's write transaction, reusing one
 * prepared statement per query (SQLite has no statement cache across {@code prepareStatement} calls). Values
 * come from {@link ResultSet#getObject}, which follows each value's storage class, so nothing is converted.
 * Close it before the transaction ends.
 */
final class RowLookup implements AutoCloseable {

    private static final String STATE = """
            SELECT vector, origin, version, hlc, deleted, column_clocks, column_hashes
              FROM sync_row_state WHERE table_name = ? AND record_id = ?""";

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    RowLookup(Connection connection) {
        this.connection = connection;
    }

    /** The row with this key as it stands, columns in table order; null if there is none. */
    LinkedHashMap<String, Object> row(TrackedTable t, List<Object> key) throws SQLException {
        PreparedStatement ps = statement("SELECT * FROM " + t.quotedName() + " WHERE " + t.keyMatchSql());
        for (int i = 0; i < key.size(); i++) {
            bind(ps, i + 1, key.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? row(rs) : null;
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
        ps.setString(1, table);
        ps.setString(2, recordId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            return new RowState(table, recordId, VersionVector.parse(rs.getString(1)), rs.getString(2), rs.getLong(3),
                    rs.getLong(4), rs.getInt(5) != 0, rs.getString(6), rs.getString(7));
        }
    }

    /**
     * The row as the entry that wrote {@code state} left it, for a state with no {@code column_hashes} (written
     * before they existed, or by a path that does not store them); null if that entry is not here or its data
     * is not in the {@link SqlValues} form.
     */
    Map<String, Object> writtenBy(RowState state) throws SQLException {
        PreparedStatement ps = statement("SELECT change_data FROM sync_log WHERE device_id = ? AND version = ?");
        ps.setString(1, state.origin());
        ps.setLong(2, state.version());
        try (ResultSet rs = ps.executeQuery()) {
            String data = rs.next() ? rs.getString(1) : null;
            if (data == null) {
                return null;
            }
            try {
                return SqlValues.decodeRow(data);
            } catch (IllegalArgumentException notOurForm) {
                return null;
            }
        }
    }

    /** Prepares {@code sql} once for the life of this lookup. */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
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

    @Override
    public void close() {
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
}
