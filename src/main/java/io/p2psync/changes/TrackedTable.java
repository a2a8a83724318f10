package io.p2psync.changes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

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

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A table as the schema describes it, before its {@link ColumnHistory} is known. */
    TrackedTable(String name, List<String> columns, List<String> primaryKey, boolean keyAssignedBySqlite,
                 Map<String, Object> defaults) {
        this(name, columns, primaryKey, keyAssignedBySqlite, defaults, FormerColumns.NONE);
    }

    TrackedTable {
        formerColumns = formerColumns == null ? FormerColumns.NONE : formerColumns;
        defaults = defaults == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
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

    /**
     * {@code e} with its columns named as this table names them now: a column the entry names by a former name
     * (its origin had not followed a rename this device followed, when it wrote) under the column that holds
     * that name's values now, in its data and its changed columns. An entry that names no former column, or whose
     * data does not decode, is answered as it is; so is a former name whose new name the data holds as well (the
     * entry then lacks a column here, and waits as {@code missing-column}).
     *
     * <p>The copy keeps the original's hash and signature, which no longer match its content: it is for placing
     * the entry on its row and for comparing it with the row's other entries, never for storing or sending.
     */
    ChangeEntry inCurrentNames(ChangeEntry e) {
        return renamed(e.data(), e.changedColumns()).map(n -> new ChangeEntry(e.origin(), e.version(), e.hlc(),
                e.timestamp(), e.table(), e.recordId(), e.operation(), e.kind(), n.data(), n.changedColumns(), e.base(),
                e.prevHash(), e.hash(), e.signature(), e.continues())).orElse(e);
    }

    /** A change with its columns named as this table names them now, as {@link #inCurrentNames(ChangeEntry)}. */
    RowChange inCurrentNames(RowChange c) {
        return renamed(c.data(), c.changedColumns()).map(n -> new RowChange(c.table(), c.recordId(), c.operation(),
                c.kind(), n.data(), n.changedColumns())).orElse(c);
    }

    /** A row (a JSON object) with its columns named as this table names them now; as it is if it names none. */
    String inCurrentNames(String row) {
        return renamed(row, null).map(Named::data).orElse(row);
    }

    /**
     * The name under which this table holds what an entry whose data names {@code dataColumns} wrote to
     * {@code column}: the column a former name became, unless the data names that one as well.
     */
    String currentName(String column, Set<String> dataColumns) {
        String to = column == null ? null : formerColumns.renamedTo().get(column);
        return to != null && !dataColumns.contains(to) ? to : column;
    }

    private record Named(String data, String changedColumns) {
    }

    /** The row data and changed columns with former names replaced, or empty if they name none. */
    private Optional<Named> renamed(String data, String changedColumns) {
        Map<String, String> renamedTo = formerColumns.renamedTo();
        if (renamedTo.isEmpty() || data == null || !mayName(data, renamedTo.keySet())) {
            return Optional.empty();
        }
        Map<String, Object> row;
        try {
            row = SqlValues.decodeRow(data);
        } catch (IllegalArgumentException undecodable) {
            return Optional.empty();
        }
        if (row.keySet().stream().noneMatch(renamedTo::containsKey)) {
            return Optional.empty();
        }
        UnaryOperator<String> now = c -> currentName(c, row.keySet()); // a null in changed columns stays null
        List<String> changedNames = null;
        String changed = changedColumns;
        if (changed != null) {
            try {
                changedNames = JSON.readValue(changed, new TypeReference<List<String>>() { });
                changed = JSON.writeValueAsString(changedNames.stream().map(now).toList());
            } catch (JacksonException notAList) {
                // kept as it is: read as "unknown", every column written (Causality.writtenColumns)
            }
        }
        Map<String, Object> named = new LinkedHashMap<>();
        for (Map.Entry<String, Object> column : row.entrySet()) {
            String to = now.apply(column.getKey());
            // A renamed column the entry did not write is left out: its origin had not followed the rename, so it
            // could not take writes made under the new name, and what it carries there may be older than what this
            // row holds (AppSchemaPropertyTest found such a value replacing the column's). A key column stays.
            boolean carriedAlong = changedNames != null && !changedNames.contains(column.getKey());
            if (!to.equals(column.getKey()) && carriedAlong && !primaryKey.contains(to)) {
                continue;
            }
            named.put(to, column.getValue());
        }
        return Optional.of(new Named(SqlValues.encodeRow(named), changed));
    }

    /**
     * False only if the JSON text cannot name any of {@code names} as a member: it lacks each in quotes. A name
     * JSON may spell with escapes (a quote, a backslash, a control or non-ASCII character) always may be there.
     * Saves decoding every row of a table that had a column renamed once.
     */
    private static boolean mayName(String json, Set<String> names) {
        for (String name : names) {
            boolean plain = name.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\');
            if (!plain || json.contains('"' + name + '"')) {
                return true;
            }
        }
        return false;
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
