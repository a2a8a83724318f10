package io.p2psync.changes;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables tracked on this device, with their triggers installed. Capture replaces the whole set when the
 * app changes its schema while the node runs ({@link SchemaChanged}); readers (the apply side, on other
 * threads) always see one consistent set, never a half-updated one.
 */
public final class TrackedTables {

    private volatile Map<String, TrackedTable> tables;

    TrackedTables(Map<String, TrackedTable> tables) {
        this.tables = Map.copyOf(tables);
    }

    /** The table, or null if it is not tracked. */
    TrackedTable get(String name) {
        return tables.get(name);
    }

    public boolean contains(String name) {
        return tables.containsKey(name);
    }

    /** The table's columns in declaration order; empty if it is not tracked. */
    public List<String> columns(String name) {
        TrackedTable t = tables.get(name);
        return t == null ? List.of() : t.columns();
    }

    /** The table's primary key columns in key order; empty if it is not tracked. */
    public List<String> primaryKey(String name) {
        TrackedTable t = tables.get(name);
        return t == null ? List.of() : t.primaryKey();
    }

    /**
     * A row of the table (a JSON object) with a column it names by a former name under the name the column has
     * now (a conflict's side recorded before the app renamed it, say); as it is if it names none or the table is
     * not tracked.
     */
    public String inCurrentNames(String table, String row) {
        TrackedTable t = tables.get(table);
        return t == null || row == null ? row : t.inCurrentNames(row);
    }

    /** Per table with any, what became of the columns this node saw go: renamed to which, or dropped. */
    public Map<String, FormerColumns> formerColumns() {
        return formerColumns(false);
    }

    /**
     * As {@link #formerColumns()}, as a pull answer tells it to peers: what this node is sure of, its unsure drops
     * left out ({@link FormerColumns#sure}).
     */
    public Map<String, FormerColumns> formerColumnsToTell() {
        return formerColumns(true);
    }

    private Map<String, FormerColumns> formerColumns(boolean sureOnly) {
        Map<String, FormerColumns> out = new java.util.TreeMap<>();
        tables.forEach((name, t) -> {
            FormerColumns f = sureOnly ? t.formerColumns().sure() : t.formerColumns();
            if (!f.isEmpty()) {
                out.put(name, f);
            }
        });
        return out;
    }

    public Set<String> names() {
        return tables.keySet();
    }

    /** Every tracked table as it stands now: one snapshot, safe to iterate while capture follows the schema. */
    Map<String, TrackedTable> snapshot() {
        return tables;
    }

    /** Replaces the whole set at once (capture, after following a schema change). */
    void replace(Map<String, TrackedTable> now) {
        this.tables = Map.copyOf(now);
    }
}
