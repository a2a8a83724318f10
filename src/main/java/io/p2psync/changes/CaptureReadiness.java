package io.p2psync.changes;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Whether entries from another device may be written to a table now. Not while a row of it may hold a write no
 * trigger saw: writing the entry would take the row as the node last sealed it, and the app's write would be lost
 * on this device and never sent. That is the case while the table's capture triggers are gone (the app rebuilt the
 * table, as SQLite's usual migration does, and the schema follower has not noticed yet) and until the
 * reconciliation scan has compared the table after its triggers were installed again ({@link UnscannedTables}).
 * The applier waits a few seconds for that ({@link #await}); past them the apply is refused with
 * {@link CaptureNotReady}, a transient failure: the round or gossip delivery that brought the entries asks again
 * later, and nothing is stored meanwhile.
 */
final class CaptureReadiness {

    private final JdbcClient jdbc;
    private final TrackedTables tracked;
    private final UnscannedTables unscanned;
    private final Duration patience;

    /** @param patience how long an apply waits for its tables to be ready before it is refused for now */
    CaptureReadiness(JdbcClient jdbc, TrackedTables tracked, UnscannedTables unscanned, Duration patience) {
        this.jdbc = jdbc;
        this.tracked = tracked;
        this.unscanned = unscanned;
        this.patience = patience;
    }

    /**
     * Waits, outside any transaction, up to the patience given for {@code tables} to be ready: a scan under way (the
     * one at start, say) usually ends in moments, and a table re-created a moment ago is noticed within a capture
     * poll. Returns either way; {@link #check} then decides under the write lock.
     */
    void await(Collection<String> tables) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!waiting(tables).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @throws CaptureNotReady if entries may not be written to one of {@code tables} yet */
    void check(Collection<String> tables) {
        Set<String> waiting = waiting(tables);
        if (!waiting.isEmpty()) {
            throw new CaptureNotReady(waiting);
        }
    }

    /** Whether entries may be written to {@code table} now (one not tracked here is the applier's to hold). */
    boolean ready(String table) {
        return waiting(List.of(table)).isEmpty();
    }

    private Set<String> waiting(Collection<String> tables) {
        Set<String> waiting = new LinkedHashSet<>();
        for (String name : tables) {
            TrackedTable t = tracked.get(name);
            if (t == null) {
                continue; // not tracked here: the applier holds such entries itself
            }
            if (unscanned.contains(name) || !triggersInPlace(t)) {
                waiting.add(name);
            }
        }
        return waiting;
    }

    private boolean triggersInPlace(TrackedTable t) {
        List<String> names = List.of(TriggerInstaller.triggerName(t, "insert"), TriggerInstaller.triggerName(t, "update"),
                TriggerInstaller.triggerName(t, "delete"));
        List<Object> params = new java.util.ArrayList<>(names);
        params.add(t.name());
        return jdbc.sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?) AND tbl_name = ?")
                .params(params).query(Integer.class).single() == names.size();
    }
}
