package io.p2psync.changes;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.identity.HybridLogicalClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns what the triggers captured into sealed log entries of this device: next version without gaps, base
 * = the row's current vector, a hybrid clock timestamp, the hash chained to this device's previous entry,
 * the signature; and moves the row state on. One write transaction per call (joining the caller's), so a
 * capture is sealed exactly once and the log never shows half a batch.
 */
@Component
class ChangeSealer {

    /**
     * Captures sealed per batch; bounds memory when another program wrote a lot at once, and bounds how long
     * the capture poller holds the write lock (see docs/operations.md, "Sharing the database").
     */
    static final int BATCH = 256;

    /** A captured change and, for the first capture of its row in a batch, the row's stored state. */
    private record Capture(long id, RowChange change, long capturedAt, RowState stored) {
    }

    private final JdbcClient jdbc;
    private final ChangeLog log;
    private final RowStates rows;
    private final DeviceIdentity identity;
    private final HybridLogicalClock clock;
    private final String self;
    private final ApplicationEventPublisher events;

    ChangeSealer(JdbcClient jdbc, ChangeLog log, RowStates rows, DeviceIdentity identity, HybridLogicalClock clock,
                 ApplicationEventPublisher events) {
        this.events = events;
        this.jdbc = jdbc;
        this.log = log;
        this.rows = rows;
        this.identity = identity;
        this.clock = clock;
        this.self = identity.deviceId().toString();
    }

    /** True if the triggers captured changes that are not sealed yet: one cheap read, no transaction. */
    boolean hasPending() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_capture)").query(Boolean.class).single();
    }

    /** Seals every pending capture; answers the number of entries made (0 if none were pending). */
    @Transactional(propagation = Propagation.REQUIRED)
    public int sealPending() {
        int total = 0;
        int sealed;
        do {
            sealed = sealOneBatch();
            total += sealed;
        } while (sealed == BATCH);
        return total;
    }

    /**
     * Seals at most {@link #BATCH} pending captures, oldest first, in a transaction of its own (or the
     * caller's). The capture poller calls this in a loop rather than {@link #sealPending()}, so a program that
     * wrote many rows at once never makes the node hold the single SQLite write lock for long: other writers
     * (the app, incoming sync) get their turn between batches.
     *
     * @return the number of entries made; {@link #BATCH} means more may be pending
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public int sealBatch() {
        return sealOneBatch();
    }

    private int sealOneBatch() {
        // One query reads the captures with their rows' states, instead of one lookup per row.
        List<Capture> captures = jdbc.sql("""
                        SELECT c.id, c.table_name, c.record_id, c.operation, c.row_data, c.changed_columns,
                               c.captured_at, s.vector, s.origin, s.version, s.hlc, s.deleted, s.column_clocks
                        FROM sync_capture c
                        LEFT JOIN sync_row_state s ON s.table_name = c.table_name AND s.record_id = c.record_id
                        ORDER BY c.id LIMIT ?""")
                .param(BATCH)
                .query((rs, n) -> {
                    RowChange change = new RowChange(rs.getString(2), rs.getString(3),
                            Operation.valueOf(rs.getString(4)), Kind.EDIT, rs.getString(5), rs.getString(6));
                    String vector = rs.getString(8);
                    RowState stored = vector == null ? null : new RowState(change.table(), change.recordId(),
                            VersionVector.parse(vector), rs.getString(9), rs.getLong(10), rs.getLong(11),
                            rs.getInt(12) != 0, rs.getString(13), null);
                    return new Capture(rs.getLong(1), change, rs.getLong(7), stored);
                })
                .list();
        if (!captures.isEmpty()) {
            seal(captures);
            jdbc.sql("DELETE FROM sync_capture WHERE id <= ?").param(captures.get(captures.size() - 1).id()).update();
        }
        return captures.size();
    }

    /**
     * Seals one change made here that did not come through a trigger (a conflict resolution, say); the caller
     * has already written the row with the apply guard set, or will.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public ChangeEntry seal(RowChange change) {
        RowState stored = rows.find(change.table(), change.recordId()).orElse(null);
        return seal(List.of(new Capture(0, change, System.currentTimeMillis(), stored))).get(0);
    }

    private List<ChangeEntry> seal(List<Capture> captures) {
        ChangeLog.Head head = log.head(self);
        long version = head.version();
        String prev = head.hash();
        Map<String, RowState> states = new HashMap<>();
        List<ChangeEntry> entries = new ArrayList<>(captures.size());
        for (Capture c : captures) {
            String rowKey = c.change().table() + '\u0000' + c.change().recordId();
            // a row met earlier in this batch has moved on since the query; take the newer state
            RowState before = states.containsKey(rowKey) ? states.get(rowKey) : c.stored();
            VersionVector base = before == null ? VersionVector.EMPTY : before.vector();
            ChangeEntry entry = ChangeEntry.seal(identity, self, ++version, clock.now(), c.capturedAt(), c.change(), base, prev);
            prev = entry.hash();
            entries.add(entry);
            states.put(rowKey, RowState.writtenBy(entry, base));
        }
        log.append(entries, null, 0);
        rows.saveAll(states.values());
        events.publishEvent(new LocalChangesSealed(entries.size(), version));
        return entries;
    }
}
