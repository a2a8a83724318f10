package io.p2psync.changes;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tables tracked on this device, with their triggers installed. */
public final class TrackedTables {

    private final Map<String, TrackedTable> tables;

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

    public Set<String> names() {
        return tables.keySet();
    }
}
