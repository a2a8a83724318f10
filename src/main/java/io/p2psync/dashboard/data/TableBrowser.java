package io.p2psync.dashboard.data;

import io.p2psync.changes.TrackedTables;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads the tracked tables for the data page, a page at a time in key order, optionally only rows where some
 * column's text contains a search string. Only tables that are tracked are read, so a name from a url never
 * reaches SQL unchecked, and every name is quoted.
 */
@Component
class TableBrowser {

    /** The built-in key-value table, listed first. */
    static final String KEY_VALUE_TABLE = "sync_kv";

    /** A tracked table and how many rows it has. */
    record TableSummary(String name, long rows) {
    }

    /**
     * One page of a table.
     *
     * @param columns the columns in declaration order
     * @param keyColumns the primary key's columns
     * @param rows each row's values as people read them ({@link SqlValueText}), in column order
     * @param page 0-based
     * @param total rows that match the search (all rows without one)
     */
    record TablePage(String table, List<String> columns, List<String> keyColumns, List<List<String>> rows, int page,
                     int size, long total) {

        public int pages() {
            return (int) Math.max(1, (total + size - 1) / size);
        }
    }

    private final TrackedTables tables;
    private final JdbcClient jdbc;

    TableBrowser(TrackedTables tables, JdbcClient jdbc) {
        this.tables = tables;
        this.jdbc = jdbc;
    }

    /** Every tracked table, the key-value table first, then by name. */
    List<TableSummary> tables() {
        return tables.names().stream()
                .sorted(Comparator.comparing((String n) -> !n.equals(KEY_VALUE_TABLE)).thenComparing(n -> n))
                .map(n -> new TableSummary(n, jdbc.sql("SELECT COUNT(*) FROM " + quote(n)).query(Long.class).single()))
                .toList();
    }

    boolean isTracked(String table) {
        return tables.contains(table);
    }

    /**
     * A page of {@code table}.
     *
     * @param search text some column must contain (case-insensitive for ASCII, as SQLite's LIKE); blank for all rows
     * @throws IllegalArgumentException if the table is not tracked, or page or size is out of range
     */
    TablePage page(String table, String search, int page, int size) {
        if (!tables.contains(table)) {
            throw new IllegalArgumentException("'" + table + "' is not a tracked table");
        }
        if (page < 0 || size < 1) {
            throw new IllegalArgumentException("a page number is 0 or more and a page holds at least one row");
        }
        List<String> columns = tables.columns(table);
        List<String> key = tables.primaryKey(table);
        String where = "";
        List<Object> params = new ArrayList<>();
        if (search != null && !search.isBlank()) {
            String pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            where = " WHERE " + columns.stream().map(c -> "CAST(" + quote(c) + " AS TEXT) LIKE ? ESCAPE '\\'")
                    .collect(Collectors.joining(" OR "));
            columns.forEach(c -> params.add(pattern));
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM " + quote(table) + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        String select = columns.stream().map(TableBrowser::quote).collect(Collectors.joining(", "));
        String order = key.stream().map(TableBrowser::quote).collect(Collectors.joining(", "));
        List<List<String>> rows = jdbc.sql("SELECT " + select + " FROM " + quote(table) + where + " ORDER BY " + order
                        + " LIMIT ? OFFSET ?")
                .params(pageParams)
                .query((rs, n) -> row(rs, columns.size()))
                .list();
        return new TablePage(table, columns, key, rows, page, size, total);
    }

    private static List<String> row(ResultSet rs, int columns) throws SQLException {
        List<String> values = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
            values.add(SqlValueText.of(rs.getObject(i)));
        }
        return values;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
