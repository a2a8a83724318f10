package io.p2psync.changes;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tables whose rows may hold writes no trigger saw, until the reconciliation scan has compared them: a table whose
 * capture triggers had to be installed again (the app re-created it, as SQLite's usual table rebuild does, and
 * may have written to it before the node noticed), one that became tracked, and at start every tracked table (a
 * mark does not outlive the node). Until then an entry from another device must not be written over such a row:
 * {@link CaptureReadiness} refuses to apply for now.
 *
 * <p>Each mark has a number: a scan clears a table only if no new mark came while it ran (the app re-created the
 * table again during the scan, say), as {@link #mark} and {@link #scanned} tell.
 */
final class UnscannedTables {

    private final Map<String, Long> tables = new ConcurrentHashMap<>();
    private final AtomicLong marks = new AtomicLong();

    void add(Collection<String> names) {
        names.forEach(n -> tables.put(n, marks.incrementAndGet()));
    }

    /** The mark {@code table} has now, 0 if none: a scan takes it before it starts. */
    long mark(String table) {
        return tables.getOrDefault(table, 0L);
    }

    /** A scan that began when {@code table} had {@code mark} compared every row: cleared unless marked since. */
    boolean scanned(String table, long mark) {
        return mark != 0 && tables.remove(table, mark);
    }

    /** The table is no longer tracked: nothing to wait for (it is marked again if the app creates it). */
    void forget(String table) {
        tables.remove(table);
    }

    boolean contains(String table) {
        return tables.containsKey(table);
    }

    Set<String> names() {
        return Set.copyOf(tables.keySet());
    }
}
