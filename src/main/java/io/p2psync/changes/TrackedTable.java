package io.p2psync.changes;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table whose changes are captured and synced, as read from SQLite's schema.
 *
 * @param name       the table name
 * @param columns    all columns in declaration order
 * @param primaryKey the primary key columns in key order (never empty)
 * @param keyAssignedBySqlite true if the key is SQLite's rowid ({@code INTEGER PRIMARY KEY}, with or without
 *                   {@code AUTOINCREMENT}): two devices inserting without a key get the same one
 */
record TrackedTable(String name, List<String> columns, List<String> primaryKey, boolean keyAssignedBySqlite) {

    TrackedTable {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " has no primary key");
        }
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

    /** SQL for the record id of the row named by {@code ref} (NEW or OLD): the key as text, or a JSON array. */
    String recordIdSql(String ref) {
        if (primaryKey.size() == 1) {
            return "CAST(" + ref + "." + quote(primaryKey.get(0)) + " AS TEXT)";
        }
        return primaryKey.stream().map(c -> ref + "." + quote(c)).collect(Collectors.joining(", ", "json_array(", ")"));
    }

    /** SQL for the whole row named by {@code ref} as a JSON object. */
    String rowJsonSql(String ref) {
        return columns.stream().map(c -> literal(c) + ", " + ref + "." + quote(c))
                .collect(Collectors.joining(", ", "json_object(", ")"));
    }

    boolean compositeKey() {
        return primaryKey.size() > 1;
    }
}
