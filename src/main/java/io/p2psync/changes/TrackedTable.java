package io.p2psync.changes;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A table whose changes are captured and synced, as read from SQLite's schema.
 *
 * @param name       the table name
 * @param columns    all columns in declaration order
 * @param primaryKey the primary key columns in key order (never empty, at most {@link #MAX_KEY_COLUMNS})
 * @param defaults   per column, the value a row holds in it when the app did not write it (NULL, or a constant
 *                   DEFAULT); a column whose default is an expression that varies (CURRENT_TIMESTAMP) is absent
 * @param keyAssignedBySqlite true if the key is SQLite's rowid ({@code INTEGER PRIMARY KEY}, with or without
 *                   {@code AUTOINCREMENT}): two devices inserting without a key get the same one
 * @param formerColumns what became of the columns the table had before, as far as this node saw them go
 */
record TrackedTable(String name, List<String> columns, List<String> primaryKey, boolean keyAssignedBySqlite,
        Map<String, Object> defaults, FormerColumns formerColumns) {

    /** Key columns {@code sync_capture} holds ({@code k1..k8}); a table with a longer key cannot be tracked. */
    static final int MAX_KEY_COLUMNS = 8;

    /** A table as the schema describes it, before its {@link ColumnHistory} is known. */
    TrackedTable(String name, List<String> columns, List<String> primaryKey, boolean keyAssignedBySqlite,
                 Map<String, Object> defaults) {
        this(name, columns, primaryKey, keyAssignedBySqlite, defaults, FormerColumns.NONE);
    }

    TrackedTable {
        formerColumns = formerColumns == null ? FormerColumns.NONE : formerColumns;
        defaults = defaults == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(defaults));
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " has no primary key");
        }
        if (primaryKey.size() > MAX_KEY_COLUMNS) {
            throw new IllegalArgumentException("table " + name + " has more than " + MAX_KEY_COLUMNS + " key columns");
        }
    }

    /** This table with what became of its former columns. */
    TrackedTable withFormerColumns(FormerColumns former) {
        return new TrackedTable(name, columns, primaryKey, keyAssignedBySqlite, defaults, former);
    }

    /** Quotes an SQL identifier. */
    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quotes an SQL string literal. */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    String quotedName() {
        return quote(name);
    }

    /**
     * {@code "a" IS ? AND "b" IS ?}: matches one row by its key values, bound in key order. {@code IS} rather
     * than {@code =} so a NULL key value (which SQLite allows in a non-integer key of a rowid table) matches
     * too; SQLite uses the key's index for either.
     */
    String keyMatchSql() {
        return primaryKey.stream().map(c -> quote(c) + " IS ?").collect(Collectors.joining(" AND "));
    }

    /** {@code "a", "b"}: the key columns in key order. */
    String keyListSql() {
        return primaryKey.stream().map(TrackedTable::quote).collect(Collectors.joining(", "));
    }

    boolean compositeKey() {
        return primaryKey.size() > 1;
    }
}
