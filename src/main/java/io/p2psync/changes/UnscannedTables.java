package io.p2psync.changes;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tables whose rows may hold writes no trigger saw, until the reconciliation scan has compared them: a table whose
 * capture triggers had to be installed again (the app re-created it, as SQLite's usual table rebuild does, and
 * may have written to it before the node noticed), or that became tracked. Until then an entry from another
 * device must not be written over such a row: {@link CaptureReadiness} refuses to apply for now.
 */
final class UnscannedTables {

    private final Set<String> tables = ConcurrentHashMap.newKeySet();

    void add(Collection<String> names) {
        tables.addAll(names);
    }

    /** The scan compared every row of {@code table}. */
    void scanned(String table) {
        tables.remove(table);
    }

    boolean contains(String table) {
        return tables.contains(table);
    }

    Set<String> names() {
        return Set.copyOf(tables);
    }
}
