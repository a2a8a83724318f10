package io.p2psync.changes;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.identity.HybridLogicalClock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns what the triggers captured into sealed log entries of this device. A capture names only a row (table
 * and key); in its write transaction the sealer reads that row as it stands and compares it with the row's
 * state ({@link RowDifference}), so one row touched several times since the last seal gives one entry with
 * its latest content, and a write that changed nothing gives none. Each entry gets the next version without
 * gaps, base = the row's current vector, a hybrid clock timestamp, the hash chained to this device's previous
 * entry and the signature; the row's state moves on with the hashes of what it now holds. One write
 * transaction per call (joining the caller's), so a capture is sealed exactly once and the log never shows
 * half a batch.
 *
 * <p>Groups (docs/storage.md, "Groups"): every entry but the last of a seal continues its group, and the last
 * ends it only if {@code sync_capture} is empty once the seal's captures are consumed, checked in the same
 * write transaction. At that moment every committed write of the app has been sealed, with each row read after
 * its last write, so a device that applies the group up to its end shows a state the app committed here. A
 * batch that empties the capture table but makes no entry while this device's last entry continues ends the
 * group with an entry that changes nothing ({@link ChangeEntry#changesNothing()}).
 */
@Component
class ChangeSealer {

    /**
     * Captures read per batch: bounds the memory of one batch's rows when another program wrote a lot at once.
     * How long the write lock is held is bounded by time instead ({@link #sealPart}).
     */
    static final int BATCH = 256;
    /**
     * Bytes of row values a batch reads and seals at most, unless its first row alone is larger: a program that
     * wrote many large rows at once is sealed a few rows at a time instead of failing, batch after batch, for
     * want of memory (and so keeping every later write unsealed).
     */
    static final long BATCH_BYTES = 8L << 20;

    /** How long after the app made a change it is sealed before it is stamped with the moment it was made. */
    static final long LATE_AFTER_MS = 1_000;

    private static final Logger logger = LoggerFactory.getLogger(ChangeSealer.class);
    private static final String CAPTURES = "SELECT id, table_name, "
            + IntStream.rangeClosed(1, TrackedTable.MAX_KEY_COLUMNS).mapToObj(i -> "k" + i).collect(Collectors.joining(", "))
            + ", captured_at FROM sync_capture ORDER BY id LIMIT " + BATCH;
    private static final String CONSUMED = "DELETE FROM sync_capture WHERE id <= ?";
    /** The moment of the last capture after a given one: ids grow with time, so it is the newest there. */
    private static final String CAPTURED_AFTER =
            "SELECT captured_at FROM sync_capture WHERE id > ? ORDER BY id DESC LIMIT 1";

    /**
     * A row found to differ from its state, ready to seal.
     *
     * @param change    what to seal
     * @param timestamp the origin wall clock of the change, ms
     * @param before    the row's state before; null for a row never seen
     * @param row       the row now; null for a DELETE
     * @param hashes    {@link RowHashes#hashes} of the row, if made already; null to make them from the row
     */
    record Observed(RowChange change, long timestamp, RowState before, Map<String, Object> row,
                    Map<String, String> hashes) {
    }

    /**
     * One row the triggers named in a batch: its key, its first capture in the batch (captures are consumed up to
     * the one before the first row a batch leaves for the next) and when it was last touched.
     */
    private record Touched(TrackedTable table, List<Object> key, String recordId, long firstCapture, long capturedAt) {
    }

    private final JdbcTemplate template;
    private final ChangeLog log;
    private final RowStates rows;
    private final TrackedTables tables;
    private final DeviceIdentity identity;
    private final HybridLogicalClock clock;
    private final String self;
    private final ApplicationEventPublisher events;
    /** The read side's statements, kept per pooled connection: a single write is sealed without preparing them. */
    private final RowLookup.Statements statements = new RowLookup.Statements();
    /** Rows already named in a warning for a key that cannot be synced (at most 1,000, then no more warnings). */
    private final Set<String> unsupportedKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ChangeSealer(JdbcTemplate template, ChangeLog log, RowStates rows, TrackedTables tables, DeviceIdentity identity,
                 HybridLogicalClock clock, ApplicationEventPublisher events) {
        this.template = template;
        this.log = log;
        this.rows = rows;
        this.tables = tables;
        this.identity = identity;
        this.clock = clock;
        this.self = identity.deviceId().toString();
        this.events = events;
    }

    /** True if the triggers captured changes that are not sealed yet: one cheap read, no transaction. */
    boolean hasPending() {
        return Boolean.TRUE.equals(template.queryForObject("SELECT EXISTS (SELECT 1 FROM sync_capture)", Boolean.class));
    }

    /** The id of the latest capture not sealed yet, if any: one cheap read, no transaction. */
    OptionalLong lastPending() {
        Long id = template.queryForObject("SELECT max(id) FROM sync_capture", Long.class);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /** True if a capture up to {@code id} is not sealed yet: one cheap read, no transaction. */
    boolean hasPendingUpTo(long id) {
        return Boolean.TRUE.equals(template.queryForObject("SELECT EXISTS (SELECT 1 FROM sync_capture WHERE id <= ?)",
                Boolean.class, id));
    }

    /** Seals every pending capture; answers the number of entries made (0 if none were pending). */
    @Transactional(propagation = Propagation.REQUIRED)
    public int sealPending() {
        int total = 0;
        Batch batch;
        do {
            batch = sealOneBatch();
            total += batch.entries();
        } while (batch.more());
        return total;
    }

    private final java.util.concurrent.locks.ReentrantLock backlog = new java.util.concurrent.locks.ReentrantLock(true);

    /** The work per transaction of {@link #sealBacklog}; tests shorten it to one batch a part. */
    java.time.Duration backlogPartTime = RemoteChangeApplier.PART_TIME;

    /**
     * Seals the captures pending now part by part: each part about {@link #backlogPartTime} of work in a
     * write transaction of its own from {@code tx}, with {@link io.p2psync.storage.WriterTurns#pauseAfter}'s pause
     * between parts, as the capture poller seals. Called before a transaction that seals what is pending in itself
     * (a scan's page, an applied part, a round's push, a served pull), so that one seals only what came since: a
     * backlog (what the app wrote while the node was stopped, or a bulk write the poller has not reached yet) sealed
     * there held the write lock for as long as sealing all of it took, 2.7 s for 220,000 captures, and the app
     * waited that long for its next write. Bounded to the captures pending when called, so an app that writes without
     * pause does not keep the caller here. Inside a transaction already, seals in that one, as {@link #sealPending}.
     *
     * @return the entries made
     */
    int sealBacklog(TransactionTemplate tx) {
        return sealBacklog(tx, () -> true);
    }

    /** As {@link #sealBacklog(TransactionTemplate)}, stopping between parts once {@code goOn} answers false. */
    int sealBacklog(TransactionTemplate tx, java.util.function.BooleanSupplier goOn) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return sealPending();
        }
        OptionalLong last = lastPending();
        if (last.isEmpty()) {
            return 0;
        }
        // One thread seals a backlog at a time: two sealing it together (the poller, a scan, a round) passed the
        // lock between their parts, since each waits for it a millisecond at a time, and the app's turns were lost.
        backlog.lock();
        try {
            int sealed = 0;
            int parts = 0;
            long start = 0;
            while (goOn.getAsBoolean() && !Thread.currentThread().isInterrupted() && hasPendingUpTo(last.getAsLong())) {
                if (parts > 0) {
                    io.p2psync.storage.WriterTurns.pauseAfter(start);
                }
                start = System.nanoTime();
                sealed += tx.execute(status -> sealPart(backlogPartTime)).entries();
                parts++;
            }
            if (parts > 1) {
                // a backlog, not a write of a moment ago: the caller's own transaction comes next, the app's turn first
                io.p2psync.storage.WriterTurns.pauseAfter(start);
            }
            return sealed;
        } finally {
            backlog.unlock();
        }
    }

    /**
     * What one batch did.
     *
     * @param captures captures it read
     * @param entries  entries it made
     * @param more     whether captures may be left: it read {@link #BATCH} of them, or left rows for the next
     *                 batch to keep within {@link #BATCH_BYTES}
     * @param bytes    bytes of values in the rows it read
     */
    record Batch(int captures, int entries, boolean more, long bytes) {
    }

    /**
     * Seals pending captures, batch after batch, until none is left or {@code budget} has gone, in one transaction
     * of its own (or the caller's); answers the batches' sums, with {@code more} from the last one. This is how a
     * backlog is sealed: in parts bounded by time, as the applier applies ({@link RemoteChangeApplier#PART_TIME}), so
     * that with {@link io.p2psync.storage.WriterTurns#pauseAfter} between parts the node holds the write lock about
     * four fifths of the time. Parts of one {@link #BATCH} each held it for a few milliseconds and then left it free
     * for at least 20, which kept a bulk write of the app's sealing at a third of the speed the sealer has.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public Batch sealPart(java.time.Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        int captures = 0;
        int entries = 0;
        long bytes = 0;
        Batch batch;
        do {
            batch = sealOneBatch();
            captures += batch.captures();
            entries += batch.entries();
            bytes += batch.bytes();
            // The entries of every batch of the part are held for the listeners until it commits: a part of large
            // rows stops once its batches passed BATCH_BYTES (so it holds at most about twice that).
        } while (batch.more() && System.nanoTime() < deadline && bytes < BATCH_BYTES);
        return new Batch(captures, entries, batch.more(), bytes);
    }

    /**
     * Seals at most {@link #BATCH} pending captures, oldest first, in a transaction of its own (or the
     * caller's): the unit {@link #sealPart} and {@link #sealPending} are made of, for tests that look at one.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public Batch sealBatch() {
        return sealOneBatch();
    }

    private Batch sealOneBatch() {
        return template.execute((ConnectionCallback<Batch>) connection -> {
            try (RowLookup lookup = new RowLookup(connection, statements)) {
                LinkedHashMap<String, Touched> touched = new LinkedHashMap<>();
                long lastId = -1;
                int count = 0;
                PreparedStatement captures = lookup.statement(CAPTURES);
                try (ResultSet rs = captures.executeQuery()) {
                    while (rs.next()) {
                        count++;
                        lastId = rs.getLong(1);
                        TrackedTable t = tables.get(rs.getString(2));
                        if (t == null) {
                            logger.debug("dropping a capture of {}, which is not tracked", rs.getString(2));
                            continue;
                        }
                        List<Object> key = new ArrayList<>(t.primaryKey().size());
                        for (int i = 0; i < t.primaryKey().size(); i++) {
                            key.add(SqlValues.read(rs, 3 + i));
                        }
                        if (!SqlValues.isSupportedKey(key)) {
                            unsupportedKey(t, key);
                            continue;
                        }
                        long at = rs.getLong(3 + TrackedTable.MAX_KEY_COLUMNS);
                        String recordId = SqlValues.encodeKey(key);
                        // first capture keeps its place in the order, the last one gives the time
                        touched.merge(t.name() + '\u0000' + recordId, new Touched(t, key, recordId, lastId, at),
                                (a, b) -> new Touched(a.table(), a.key(), a.recordId(), a.firstCapture(),
                                        Math.max(a.capturedAt(), b.capturedAt())));
                    }
                } catch (SQLException e) {
                    throw lookup.forget(CAPTURES, e);
                }
                if (count == 0) {
                    return new Batch(0, endOpenGroup(), false, 0);
                }
                List<Touched> all = new ArrayList<>(touched.values());
                // Only captures of rows that are not synced (an untracked table, a key that is not UTF-8): consumed
                // with nothing to read, else the same batch would come back, and stop every seal, for good.
                Observation observation = all.isEmpty() ? new Observation(List.of(), 0, 0) : observe(lookup, all);
                int taken = observation.taken();
                long upTo = taken == all.size() ? lastId : all.get(taken).firstCapture() - 1;
                Long after = capturedAfter(lookup, upTo);
                boolean ends = after == null;
                // a backlog of more than this batch may hold later writes of these rows: no entry of it is stamped
                // before the backlog's last write, which none of them can be later than
                int entries = seal(observation.observed(), ends, ends ? Long.MIN_VALUE : after).size();
                PreparedStatement consumed = lookup.statement(CONSUMED);
                try {
                    consumed.setLong(1, upTo);
                    consumed.executeUpdate();
                } catch (SQLException e) {
                    throw lookup.forget(CONSUMED, e);
                }
                if (entries == 0 && ends) {
                    entries = endOpenGroup();
                }
                return new Batch(count, entries, count == BATCH || taken < all.size(), observation.bytes());
            }
        });
    }

    /**
     * Says, once per row (for the first 1,000 such rows), that a row whose key holds TEXT that is not valid UTF-8
     * is not synced (docs/storage.md, "Known limits").
     */
    void unsupportedKey(TrackedTable t, List<Object> key) {
        if (unsupportedKeys.size() < 1_000 && unsupportedKeys.add(t.name() + key)) {
            logger.warn("not syncing the row of {} with key {}: a key holding TEXT that is not valid UTF-8 is not "
                    + "supported; write the key as valid UTF-8 text or as a BLOB", t.name(), key);
        }
    }

    /** When the triggers captured the last write after capture {@code id}; null if nothing was captured since. */
    private static Long capturedAfter(RowLookup lookup, long id) throws SQLException {
        PreparedStatement ps = lookup.statement(CAPTURED_AFTER);
        try {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        } catch (SQLException e) {
            throw lookup.forget(CAPTURED_AFTER, e);
        }
    }

    /**
     * Ends this device's open group, if its last entry continues: with an UPDATE of that entry's row that
     * changes nothing (changedColumns {@code []}, the data of that entry), so the group can be applied
     * elsewhere. It is a marker only: no row and no row state changes, here or on any device, so no vector
     * names it and it can never make a later edit look concurrent. Joins the caller's write transaction;
     * answers the number of entries made (0 or 1).
     */
    int endOpenGroup() {
        Optional<ChangeEntry> open = log.openGroupHead(self);
        if (open.isEmpty()) {
            return 0;
        }
        ChangeEntry last = open.get();
        RowChange nothing = new RowChange(last.table(), last.recordId(), Operation.UPDATE, Kind.EDIT,
                last.data() == null ? "{}" : last.data(), ChangeEntry.NO_COLUMNS);
        RowState state = rows.find(last.table(), last.recordId()).orElse(null);
        VersionVector base = state == null ? VersionVector.EMPTY : state.vector();
        ChangeEntry end = ChangeEntry.seal(identity, self, last.version() + 1, clock.now(), System.currentTimeMillis(),
                nothing, base, last.hash(), false);
        log.append(List.of(end), null, 0);
        events.publishEvent(new LocalChangesSealed(1, end.version()));
        return 1;
    }

    /**
     * What to seal for the first {@code taken} rows a batch touched, in their order.
     *
     * @param observed the changes found in them
     * @param taken    how many of the touched rows, from the first, were read; the others are left for the next
     *                 batch
     */
    private record Observation(List<Observed> observed, int taken, long bytes) {
    }

    /**
     * What to seal for the rows a batch touched, in the order given: their rows and states are read per table
     * with a statement per {@value RowLookup#CHUNK} rows ({@link RowLookup#rows}, {@link RowLookup#states})
     * rather than two statements per row. Reading stops once the rows read hold more than {@link #BATCH_BYTES};
     * the batch then takes the rows before the first one not read (always the first), and the rest wait for the
     * next batch.
     */
    private static Observation observe(RowLookup lookup, List<Touched> touched) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>(java.util.Collections.nCopies(touched.size(), null));
        boolean[] read = new boolean[touched.size()];
        RowLookup.Budget budget = new RowLookup.Budget(BATCH_BYTES);
        for (List<Integer> at : byTable(touched, touched.size()).values()) {
            if (budget.spent()) {
                break;
            }
            boolean[] known = new boolean[at.size()];
            List<LinkedHashMap<String, Object>> answer = lookup.rows(touched.get(at.get(0)).table(),
                    at.stream().map(i -> touched.get(i).key()).toList(), budget, known);
            for (int j = 0; j < at.size(); j++) {
                rows.set(at.get(j), answer.get(j));
                read[at.get(j)] = known[j];
            }
        }
        int taken = 0;
        while (taken < touched.size() && read[taken]) {
            taken++;
        }
        if (taken == 0) { // the first row's table answered out of order: read that row alone
            rows.set(0, lookup.row(touched.get(0).table(), touched.get(0).key()));
            taken = 1;
        }
        List<RowState> states = new ArrayList<>(java.util.Collections.nCopies(taken, null));
        for (Map.Entry<String, List<Integer>> table : byTable(touched, taken).entrySet()) {
            List<Integer> at = table.getValue();
            List<RowState> stated = lookup.states(table.getKey(), at.stream().map(i -> touched.get(i).recordId()).toList());
            for (int j = 0; j < at.size(); j++) {
                states.set(at.get(j), stated.get(j));
            }
        }
        List<Observed> observed = new ArrayList<>();
        for (int i = 0; i < taken; i++) {
            Touched t = touched.get(i);
            observe(lookup, t.table(), t.recordId(), rows.get(i), states.get(i), t.capturedAt()).ifPresent(observed::add);
        }
        return new Observation(observed, taken, budget.used());
    }

    /** The indexes of the first {@code count} touched rows by table name, tables in the order first met. */
    private static Map<String, List<Integer>> byTable(List<Touched> touched, int count) {
        Map<String, List<Integer>> byTable = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byTable.computeIfAbsent(touched.get(i).table().name(), t -> new ArrayList<>()).add(i);
        }
        return byTable;
    }

    /** Reads the row with {@code key} and its state, and answers what to seal for it, if anything. */
    static Optional<Observed> observe(RowLookup lookup, TrackedTable t, List<Object> key, String recordId, long at)
            throws SQLException {
        LinkedHashMap<String, Object> row = lookup.row(t, key);
        RowState state = lookup.state(t.name(), recordId);
        return observe(lookup, t, recordId, row, state, at);
    }

    /** What to seal for a row already read, if anything. */
    static Optional<Observed> observe(RowLookup lookup, TrackedTable t, String recordId, Map<String, Object> row,
                                      RowState state, long at) throws SQLException {
        return observe(lookup, t, recordId, row, state, at, false);
    }

    /** As above; {@code unsureByValue} for the reconciliation scan ({@link RowDifference#of}). */
    static Optional<Observed> observe(RowLookup lookup, TrackedTable t, String recordId, Map<String, Object> row,
                                      RowState state, long at, boolean unsureByValue) throws SQLException {
        Map<String, Object> lastWritten = row != null && state != null && !state.deleted() && state.columnHashes() == null
                ? lookup.writtenBy(state) : null;
        // hashed once: compared with the state's here, stored in the row's new state when sealed
        Map<String, String> hashes = row == null ? null : RowHashes.hashes(row);
        return RowDifference.of(t, recordId, row, state, lastWritten, hashes, unsureByValue)
                .map(change -> new Observed(change, at, state, row, hashes));
    }

    /**
     * Seals one change made here that did not come through a trigger (a conflict resolution, say); the caller
     * has already written the row with the apply guard set. The row's state records the hashes of the row as
     * it now stands in the table, not of the change's data: the data of a resolution that took another
     * device's row may name columns this table lacks, or lack columns it has, and hashes of it would make the
     * next capture or scan see a change nobody made (or miss one).
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public ChangeEntry seal(RowChange change) {
        RowState stored = rows.find(change.table(), change.recordId()).orElse(null);
        Map<String, Object> row = change.data() == null ? null : standing(change);
        return seal(List.of(new Observed(change, System.currentTimeMillis(), stored, row, null))).get(0);
    }

    /**
     * The change's row as it stands in its table; for a table not tracked here or a record id that names no
     * row of it, the change's data decoded (null if that fails too: no hashes then, and the next comparison
     * falls back to the entry's data).
     */
    private Map<String, Object> standing(RowChange change) {
        TrackedTable t = tables.get(change.table());
        if (t != null) {
            try {
                List<Object> key = RowDifference.keyOf(t, change.recordId());
                Map<String, Object> row = template.execute((ConnectionCallback<Map<String, Object>>) connection -> {
                    try (RowLookup lookup = new RowLookup(connection)) {
                        return lookup.row(t, key);
                    }
                });
                if (row != null) {
                    return row;
                }
            } catch (IllegalArgumentException notThisTablesKey) {
                // fall back to the data
            }
        }
        try {
            return SqlValues.decodeRow(change.data());
        } catch (IllegalArgumentException notOurForm) {
            return null;
        }
    }

    /**
     * The hybrid clock of a change: of the moment the app made it if that was a while before it is sealed (the
     * node was stopped, or behind a backlog of captures), else of now. A write made an hour before the node sealed
     * it must not count as later than an edit another device made in that hour. The triggers record the moment
     * ({@code captured_at}, SQLite's clock, the same system clock as this one; of a row's last capture, as the
     * change carries the row as it stands); within {@link #LATE_AFTER_MS} the clock of now is kept, so changes sealed
     * as they come are stamped as before. In a backlog longer than one batch a later write of a row may wait in a
     * later batch while the entry already carries its content: such an entry is stamped no earlier than {@code
     * notBefore}, the moment of the backlog's last write.
     */
    private long stamp(Observed o, long notBefore) {
        long age = System.currentTimeMillis() - Math.max(o.timestamp(), notBefore);
        return age > LATE_AFTER_MS ? clock.ago(age) : clock.now();
    }

    /**
     * Seals the changes in order, each chained to the previous, and saves the rows' new states with the
     * hashes of what each row holds now (a deleted row keeps the hashes it had). Joins the caller's write
     * transaction. The last entry ends its group if nothing else is captured and waiting to be sealed.
     */
    List<ChangeEntry> seal(List<Observed> observed) {
        return observed.isEmpty() ? List.of() : seal(observed, !hasPending());
    }

    /**
     * As above; {@code ends} says whether the last entry ends its group (every other entry continues it).
     */
    List<ChangeEntry> seal(List<Observed> observed, boolean ends) {
        return seal(observed, ends, null);
    }

    /**
     * As above; with {@code madeBy}, a change made a while before is stamped with when it was made ({@link #stamp}),
     * but no earlier than {@code madeBy}: {@link Long#MIN_VALUE} when the changes are the last write of each row,
     * which a batch of captures can tell when no capture is left after it; else the moment of the last capture.
     * Null stamps every change with the clock of now.
     */
    private List<ChangeEntry> seal(List<Observed> observed, boolean ends, Long madeBy) {
        if (observed.isEmpty()) {
            return List.of();
        }
        ChangeLog.Head head = log.head(self);
        long version = head.version();
        String prev = head.hash();
        Map<String, RowState> states = new HashMap<>();
        List<ChangeEntry> entries = new ArrayList<>(observed.size());
        for (int i = 0; i < observed.size(); i++) {
            Observed o = observed.get(i);
            boolean continues = i < observed.size() - 1 || !ends;
            RowChange c = o.change();
            String rowKey = c.table() + '\u0000' + c.recordId();
            // a row met earlier in this call has moved on since it was read; take the newer state
            RowState before = states.containsKey(rowKey) ? states.get(rowKey) : o.before();
            VersionVector base = before == null ? VersionVector.EMPTY : before.vector();
            ChangeEntry entry = ChangeEntry.seal(identity, self, ++version, madeBy != null ? stamp(o, madeBy) : clock.now(),
                    o.timestamp(), c, base, prev, continues);
            prev = entry.hash();
            entries.add(entry);
            String hashes = o.hashes() != null ? RowHashes.write(o.hashes()) : o.row() != null ? RowHashes.of(o.row())
                    : c.operation() == Operation.DELETE && before != null ? before.columnHashes() : null;
            states.put(rowKey, RowState.writtenBy(entry, base).withColumnHashes(hashes));
        }
        log.append(entries, null, 0);
        rows.saveAll(states.values());
        SavepointEvents.publish(events, new LocalChangesSealed(entries.size(), version));
        return entries;
    }
}
