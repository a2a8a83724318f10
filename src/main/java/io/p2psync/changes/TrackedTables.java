package io.p2psync.changes;

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

    public Set<String> names() {
        return tables.keySet();
    }
}
