package io.p2psync.changes;

import io.p2psync.changes.ApplyOutcome.Result;
import io.p2psync.changes.ConcurrentEditPolicy.Decision;
import io.p2psync.changes.ConcurrentEditPolicy.Settled;
import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.storage.WriterTurns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Applies entries that came from other devices, in one transaction per batch part, without capturing them
 * again: the apply guard is set for the duration and reset before commit.
 *
 * <p>Per entry, in the order given: a duplicate (same origin, version and hash) changes nothing; otherwise
 * it must be the next version of its origin, and its hash, chain and signature must hold, or it is
 * rejected ({@link RejectReason}) together with every later entry of that origin in the batch (other origins
 * go on). An entry that verifies is always stored in {@code sync_log} (so its chain goes on and it is
 * relayed) and then applied to its row inside a savepoint, decided against the row's version with
 * {@link VersionVector#compare}:
 * <ul>
 *   <li>its base covers the row's vector: the row takes its value ({@code APPLIED});</li>
 *   <li>the row has already seen it: the row stays ({@code IGNORED_OLDER});</li>
 *   <li>otherwise the edits were concurrent and the {@link ConcurrentEditPolicy} decides ({@code CONFLICT}).</li>
 * </ul>
 * If the row cannot take it here (a missing table or column, a constraint, data that does not decode), the
 * savepoint is rolled back, so nothing of the entry is half-written, and the entry is held
 * ({@link HoldReason}, {@code sync_held}) and retried by itself later ({@link #retryHeld}). Later entries of
 * the same row wait behind it; nothing else does.
 *
 * <p>Groups ({@link ChangeEntry#continues()}, docs/storage.md "Groups"): an entry whose group continues is
 * stored but not put on its row ({@code STAGED}); the entry that ends the group puts the whole group on its
 * rows in one transaction, so another program reading the file sees an app transaction of another device
 * whole or not at all. Holds stay per entry.
 */
@Component
public class RemoteChangeApplier {

    private static final Logger logger = LoggerFactory.getLogger(RemoteChangeApplier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Work per write transaction of {@link #apply}: entries are applied until this much time has gone. */
    static final java.time.Duration PART_TIME = java.time.Duration.ofMillis(100);
    /** Groups at least this large put their clean entries on their rows in bulk ({@code Placer.placeInBulk}). */
    static final int BULK_FROM = 8;
    /** The most entries one write transaction of {@link #apply} takes, however fast they go. */
    static final int MAX_PER_TRANSACTION = 5_000;
    /**
     * Consecutive groups are put on their rows together once they hold this many entries or more (a run's placement
     * is not timed: this bounds how far it takes a part past {@link #PART_TIME}).
     */
    static final int RUN_LIMIT = 500;
    /** Holds retried at most per pass, so a pile of holds never keeps the write lock for long. */
    static final int MAX_RETRIES_PER_PASS = 500;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ChangeSealer sealer;
    private final ChangeLog log;
    private final RowStates rows;
    private final RowWriter writer;
    private final TrackedTables tables;
    private final HybridLogicalClock clock;
    private final HeldEntries held;
    private final StagedEntries staged;
    private final ObjectProvider<ConcurrentEditPolicy> policy;
    private final ObjectProvider<AppliedEntryListener> listeners;
    private final ObjectProvider<RowLimits> rowLimits;
    /** The tables' {@link RowLimits}, by table, read on first use. */
    private volatile Map<String, RowLimits> limits;
    private final ObjectProvider<RefusedOrigins> refusedOrigins;
    private final ApplicationEventPublisher events;
    private final RowAccess access = new Access();
    /**
     * Where the next retry pass at the end of an applied part starts: the log id of the last hold the previous
     * one took, 0 for the start. Passes go round, so holds that never clear cannot keep the ones after them
     * from their turn.
     */
    /** Work per write transaction of {@link #apply}: {@link #PART_TIME}; tests shorten it to make many parts. */
    java.time.Duration partTime = PART_TIME;
    private final java.util.concurrent.atomic.AtomicLong retryCursor = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Entries of the group being put on its rows that are stored but not placed yet; hooks do not see them as
     * the row's entries. Only touched inside a write transaction, of which there is one at a time.
     */
    private final Set<EntryRef> unplaced = new HashSet<>();
    /**
     * Entries received and stored in the current write transaction but not announced yet ({@link EntriesStored}),
     * and who delivered them: announced together at the end of the part, or before anything sealed here in
     * between is announced, so listeners see entries in the order they were stored.
     */
    private final List<ChangeEntry> unannounced = new ArrayList<>();
    private final CaptureReadiness readiness;
    private String unannouncedFrom;

    RemoteChangeApplier(JdbcClient jdbc, TransactionTemplate tx, ChangeSealer sealer, ChangeLog log, RowStates rows,
            RowWriter writer, TrackedTables tables, HybridLogicalClock clock, HeldEntries held, StagedEntries staged,
            ObjectProvider<ConcurrentEditPolicy> policy, ObjectProvider<AppliedEntryListener> listeners,
            ObjectProvider<RowLimits> limits, ObjectProvider<RefusedOrigins> refusedOrigins,
            ApplicationEventPublisher events, CaptureReadiness readiness) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.sealer = sealer;
        this.log = log;
        this.rows = rows;
        this.writer = writer;
        this.tables = tables;
        this.clock = clock;
        this.held = held;
        this.staged = staged;
        this.policy = policy;
        this.listeners = listeners;
        this.rowLimits = limits;
        this.refusedOrigins = refusedOrigins;
        this.events = events;
        this.readiness = readiness;
    }

    /**
     * Applies a batch, in write transactions of about {@link #PART_TIME} of work and at most
     * {@value #MAX_PER_TRANSACTION} entries (or in the caller's transaction, if there is one). Each part is all or nothing; each entry within it is applied
     * or held whole. Holds that an arrival may have released are retried at the end of each part.
     *
     * <p>Groups: an entry whose group continues is stored and staged ({@code STAGED}), not put on its row;
     * the entry that ends the group puts every staged entry of the group (read back from {@code sync_log},
     * whichever part, batch or delivery stored them) and itself on their rows, in version order, in its own
     * transaction. So a reader of the app's file sees an origin's group all at once or not at all. An
     * outcome answered as {@code STAGED} is replaced by the entry's placement outcome when its group ends
     * within the same call.
     *
     * @param entries      entries in per-origin version order
     * @param receivedFrom device id of the device that delivered them (stored as {@code received_from})
     * @return one outcome per entry, in the same order
     */
    public List<ApplyOutcome> apply(List<ChangeEntry> entries, String receivedFrom) {
        Delivery delivery = staged.any() ? withStagedChains(entries) : new Delivery(entries, null, Map.of());
        List<ChangeEntry> work = delivery.entries();
        Set<String> tablesTouched = new HashSet<>(); // staged entries a delivered group end puts on their rows too
        work.forEach(e -> tablesTouched.add(e.table()));
        readiness.await(tablesTouched);
        GroupChecks checks = GroupChecks.of(work);
        // Parts of about PART_TIME of work (at most MAX_PER_TRANSACTION entries), one write transaction each:
        // each part is all or nothing and leaves every origin at a version without gaps, so a crash in between
        // loses only work the next sync redoes, and the app and other writers get the SQLite write lock between
        // parts (WriterTurns) instead of waiting for all. Bounded by time, not by a count, so the pause between
        // parts stays a fixed share of the time however fast entries apply.
        Batch batch = new Batch(receivedFrom, checks, delivery.stagedHeads());
        sealer.sealBacklog(tx); // in parts: each part below seals in its transaction only what came since
        List<ApplyOutcome> outcomes = new ArrayList<>(work.size());
        long partStart = System.nanoTime();
        while (outcomes.size() < work.size()) {
            if (!outcomes.isEmpty()) {
                WriterTurns.pauseAfter(partStart);
            }
            partStart = System.nanoTime();
            int offset = outcomes.size();
            long deadline = partStart + partTime.toNanos();
            outcomes.addAll(tx.execute(status -> {
                // under the write lock, so the app cannot re-create a table between this look and the writes
                readiness.check(tablesTouched);
                sealer.sealPending(); // local captures first, so they get versions and bases before remote writes
                setGuard(1);
                try {
                    batch.refreshHeads(offset > 0);
                    List<ApplyOutcome> done = batch.applyPart(work, offset, deadline, status);
                    int handled = delivery.reportedAmong(offset, done.size());
                    if (handled > 0 && receivedFrom != null) {
                        events.publishEvent(new EntriesHandled(receivedFrom, handled));
                    }
                    if (batch.mayRelease && held.any()) {
                        Placer placer = new Placer(status);
                        placer.retryAwaiting(batch.storedHeads);
                        retryCursor.set(placer.retry(false, retryCursor.get()).next());
                    }
                    if (!batch.storedHeads.isEmpty() && staged.any()) {
                        batch.storedHeads.forEach(staged::dropUpTo);
                    }
                    return done;
                } finally {
                    setGuard(0);
                }
            }));
        }
        // Entries staged in an earlier part and put on their rows with their group's end: their final outcome.
        for (int i = 0; i < outcomes.size(); i++) {
            ApplyOutcome placed = batch.placedLater.get(outcomes.get(i).entry());
            if (outcomes.get(i).result() == Result.STAGED && placed != null) {
                outcomes.set(i, placed);
            }
        }
        return delivery.reported(outcomes);
    }

    /**
     * The entries to apply: those delivered, and before each origin's first one the entries staged by earlier
     * deliveries that it chains back to, down to the origin's head here (a group that began in an earlier
     * page or message), when the delivery brings an entry of that origin that ends a group. Only the delivered
     * ones are answered.
     *
     * @param entries     what to apply
     * @param reported    per entry of {@code entries}, whether it was delivered; null if all were
     * @param stagedHeads per origin whose delivered entries only go on a staged group (none ends it): the
     *                    staged entry the first of them chains to, which they are checked against instead of
     *                    the log's head, so each message of a group gossiped one entry at a time costs one
     *                    look-up, not a walk of the whole group
     */
    private record Delivery(List<ChangeEntry> entries, boolean[] reported, Map<String, ChangeLog.Head> stagedHeads) {
        /** How many of the {@code count} entries from {@code from} on were delivered (not staged earlier). */
        int reportedAmong(int from, int count) {
            if (reported == null) {
                return count;
            }
            int n = 0;
            for (int i = from; i < from + count; i++) {
                n += reported[i] ? 1 : 0;
            }
            return n;
        }

        List<ApplyOutcome> reported(List<ApplyOutcome> outcomes) {
            if (reported == null) {
                return outcomes;
            }
            List<ApplyOutcome> answer = new ArrayList<>(outcomes.size());
            for (int i = 0; i < outcomes.size(); i++) {
                if (reported[i]) {
                    answer.add(outcomes.get(i));
                }
            }
            return answer;
        }
    }

    private Delivery withStagedChains(List<ChangeEntry> entries) {
        Set<String> ending = new HashSet<>();
        entries.stream().filter(e -> !e.continues()).forEach(e -> ending.add(e.origin()));
        List<ChangeEntry> work = new ArrayList<>(entries.size());
        List<Boolean> reported = new ArrayList<>(entries.size());
        Map<String, ChangeLog.Head> stagedHeads = new HashMap<>();
        Set<String> met = new HashSet<>();
        for (ChangeEntry e : entries) {
            if (met.add(e.origin())) {
                ChangeLog.Head head = log.head(e.origin());
                if (e.version() > head.version() + 1 && e.prevHash() != null) {
                    if (!ending.contains(e.origin())) {
                        if (staged.has(e.origin(), e.version() - 1, e.prevHash())) {
                            stagedHeads.put(e.origin(), new ChangeLog.Head(e.version() - 1, e.prevHash()));
                        }
                    } else {
                        List<ChangeEntry> chain = staged.chainBefore(e.origin(), e.version() - 1, e.prevHash(),
                                head.version());
                        if (!chain.isEmpty() && Objects.equals(chain.get(0).prevHash(), head.hash())) {
                            work.addAll(chain);
                            chain.forEach(c -> reported.add(false));
                        }
                    }
                }
            }
            work.add(e);
            reported.add(true);
        }
        if (work.size() == entries.size()) {
            return new Delivery(entries, null, stagedHeads);
        }
        boolean[] flags = new boolean[reported.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = reported.get(i);
        }
        return new Delivery(work, flags, stagedHeads);
    }

    /**
     * Retries every held entry, oldest first, each in its own savepoint: those that now apply are released,
     * the others stay held (with their reason brought up to date). In passes of at most
     * {@value #MAX_RETRIES_PER_PASS} holds, one write transaction each, with a turn for other writers between.
     * While the app writes faster than its writes are sealed, a pass is deferred rather than run over unsealed
     * writes; the held-entry timer ({@link HeldRetryTimer}) tries again.
     *
     * @param schemaToo true after a schema change (or on the slow timer): also retry entries held for a
     *                  missing table or column
     * @return how many holds were released
     */
    public int retryHeld(boolean schemaToo) {
        if (!held.any()) {
            return 0;
        }
        int released = 0;
        long after = 0;
        long passStart = System.nanoTime();
        do {
            if (after > 0) {
                WriterTurns.pauseAfter(passStart);
            }
            drainCaptures();
            passStart = System.nanoTime();
            long from = after;
            Pass pass = tx.execute(status -> {
                // What the app wrote during the drain, in one bounded part: a retry needs every capture sealed
                // (it takes the rows' states as current), and an app still writing faster than the sealer must
                // neither keep this pass waiting nor make it seal an import's worth under one lock.
                if (sealer.sealPart(PART_TIME).more()) {
                    return Pass.DEFERRED;
                }
                setGuard(1);
                try {
                    return new Placer(status).retry(schemaToo, from);
                } finally {
                    setGuard(0);
                }
            });
            if (pass == Pass.DEFERRED) {
                logger.debug("retry of held entries deferred: the app writes faster than its writes are sealed; the "
                        + "held-entry timer tries again");
                break;
            }
            released += pass.released();
            after = pass.next();
        } while (after > 0);
        return released;
    }

    /**
     * Seals the app's captured writes before a retry pass: a retry reads the row's state and stored hashes as
     * current, so a write not yet sealed would be written over unseen, or taken for the held entry's own. A part
     * per transaction, as the capture poller seals, so a migration that touched every row is not sealed in the
     * pass's one transaction; the pass itself seals what came in between, one part at most, and is deferred if
     * that leaves captures. Only the captures up to the latest there when it begins (ids start again from 1 once
     * the table is empty, so at most that many more): an app that writes faster than the sealer seals (a long bulk
     * import) would otherwise keep every retry, and a person's conflict resolution that asked for one, waiting until
     * it stops.
     */
    private void drainCaptures() {
        sealer.sealBacklog(tx);
    }

    /**
     * What one retry pass did.
     *
     * @param released holds released
     * @param next     where the next pass starts: the log id of the last hold this one took, 0 after the newest
     */
    private record Pass(int released, long next) {
        /** Not run: captures were still left after the pass's own part of sealing. */
        static final Pass DEFERRED = new Pass(0, 0);
    }

    /** After the scan a table waited for: retry what was held back meanwhile. */
    @org.springframework.context.event.EventListener
    public void tableScanned(TableScanned event) {
        int released = retryHeld(true);
        if (released > 0) {
            logger.info("{} scanned: applied {} held entries", event.table(), released);
        }
    }

    /** After capture follows a schema change: forget the cached columns and retry what waited for it. */
    @org.springframework.context.event.EventListener
    public void schemaChanged(SchemaChanged event) {
        writer.forget(event.tables());
        int released = retryHeld(true);
        if (released > 0) {
            logger.info("schema of {} changed: applied {} held entries", event.tables(), released);
        }
    }

    /**
     * Waits, outside any transaction, up to the patience an apply has (10 s on a node) for {@code table} to take
     * writes made here without a trigger ({@link #writeLocal}, {@link #cover}): until the node has put its capture
     * triggers back and the reconciliation scan has sealed what the app wrote meanwhile. Returns either way; those
     * methods then decide under the write lock. Call it before the transaction that writes: a wait inside one would
     * hold the write lock the scan it waits for needs.
     */
    public void awaitWritable(String table) {
        readiness.await(List.of(table));
    }

    /**
     * Writes a row made here without a trigger (a conflict resolution, say) and logs it as this device's
     * change with the current row vector as base, in one transaction: nothing is captured twice.
     *
     * <p>Not while a row of the table may hold a write of the app that no trigger saw (its triggers are missing,
     * or it is owed a reconciliation scan): the base would not cover that write, and writing over the row would
     * lose it here and never send it, as an entry from another device would ({@link CaptureReadiness}). Checked
     * under the write lock, in the transaction that writes (the caller's, if there is one); {@link #awaitWritable}
     * waits for it beforehand.
     *
     * @return the sealed entry
     * @throws IllegalArgumentException if the table is not tracked, the record id is not of this table's form
     *                                  (one of an earlier version, say), or the data does not fit it
     * @throws CaptureNotReady          if the table is not ready for such a write yet; nothing is written
     */
    public ChangeEntry writeLocal(RowChange written) {
        TrackedTable table = tracked(written.table());
        // a row given under a column's former name (a conflict's side recorded before a rename, say) writes it
        RowChange change = table.inCurrentNames(written);
        RowWriter.key(table, change.recordId()); // an entry other devices could not apply is never sealed
        return tx.execute(status -> {
            readiness.check(List.of(change.table())); // under the write lock: the app cannot re-create it meanwhile
            sealer.sealPending();
            setGuard(1);
            try {
                if (change.operation() == Operation.DELETE) {
                    writer.delete(table, change.recordId());
                } else {
                    writer.upsert(table, change.recordId(), change.data());
                }
                ChangeEntry entry = sealer.seal(change);
                rows.find(change.table(), change.recordId())
                        .ifPresent(s -> rows.save(withHashes(s, table)));
                return entry;
            } finally {
                setGuard(0);
            }
        });
    }

    /**
     * Makes the row's version include {@code vector} without changing the row: a resolution logged next then
     * covers the entries that vector names (a held entry it settles, say). Not while the table may hold writes no
     * trigger saw, as for {@link #writeLocal}: such a write, sealed later with this vector in its base, would pass for
     * one made on top of entries the app never saw.
     *
     * @throws CaptureNotReady if the table is not ready for it yet; nothing is written
     */
    public void cover(String table, String recordId, VersionVector vector) {
        tracked(table);
        tx.executeWithoutResult(status -> {
            readiness.check(List.of(table));
            sealer.sealPending(); // a pending write of the row gets the base it saw, not the vector covered here
            RowState s = rows.find(table, recordId).orElse(null);
            if (s == null) {
                rows.save(new RowState(table, recordId, vector, "", 0, 0, true, null, null));
            } else {
                rows.save(new RowState(table, recordId, s.vector().merge(vector), s.origin(), s.version(), s.hlc(),
                        s.deleted(), s.columnClocks(), s.columnHashes()));
            }
        });
    }

    /** The key SQLite would give the next row of a rowid-key table here: one above the largest. */
    public long nextRowid(String table) {
        TrackedTable t = tracked(table);
        return jdbc.sql("SELECT COALESCE(MAX(" + TrackedTable.quote(t.primaryKey().get(0)) + "), 0) + 1 FROM "
                + t.quotedName()).query(Long.class).single();
    }

    /** Whether the row's key is assigned by SQLite (rowid), so that two devices' inserts can collide. */
    public boolean keyAssignedBySqlite(String table) {
        TrackedTable t = tables.get(table);
        return t != null && t.keyAssignedBySqlite();
    }

    private TrackedTable tracked(String name) {
        TrackedTable table = tables.get(name);
        if (table == null) {
            throw new IllegalArgumentException("table " + name + " is not tracked on this device");
        }
        return table;
    }

    /** The state with the column hashes of the row as it now stands (kept as they were for a deleted row). */
    private RowState withHashes(RowState s, TrackedTable table) {
        Optional<Map<String, Object>> row = writer.row(table, s.recordId());
        String hashes = row.map(RowHashes::of).orElse(s.columnHashes());
        return new RowState(s.table(), s.recordId(), s.vector(), s.origin(), s.version(), s.hlc(), s.deleted(),
                s.columnClocks(), hashes);
    }

    /** Row access for hooks; only valid inside {@link #apply} or {@link #retryHeld}. */
    private final class Access implements RowAccess {

        @Override
        public Optional<RowState> state(String table, String recordId) {
            return rows.find(table, recordId);
        }

        @Override
        public Optional<String> read(String table, String recordId) {
            return writer.read(tracked(table), recordId);
        }

        @Override
        public Optional<Map<String, Object>> row(String table, String recordId) {
            return writer.row(tracked(table), recordId);
        }

        @Override
        public void write(RowState state, String data) {
            TrackedTable table = tracked(state.table());
            if (data == null) {
                writer.delete(table, state.recordId());
            } else {
                writer.upsert(table, state.recordId(), data);
            }
            rows.save(withHashes(state, table));
        }

        @Override
        public List<ChangeEntry> entries(String table, String recordId) {
            Map<String, Long> openFrom = new HashMap<>();
            return entriesInCurrentNames(table, recordId).stream()
                    .filter(e -> !e.changesNothing() && !unplaced.contains(EntryRef.of(e)))
                    .filter(e -> !e.continues() || !staged(e, openFrom))
                    .filter(e -> !held.isHeld(e.origin(), e.version()) || isPartial(e))
                    .toList();
        }

        /** True if {@code e}'s group has not ended here yet, so it is not on its row. */
        private boolean staged(ChangeEntry e, Map<String, Long> openFrom) {
            long start = openFrom.computeIfAbsent(e.origin(), log::openGroupStart);
            return start > 0 && e.version() >= start;
        }

        private boolean isPartial(ChangeEntry e) {
            return held.find(EntryRef.of(e)).map(HeldEntry::partial).orElse(false);
        }
    }

    /**
     * The row's entries in the log, with their columns named as the table names them now
     * ({@link TrackedTable#inCurrentNames}): an entry written before a rename this device followed, or by a device
     * that had not followed it, is compared with the others as a write of the column it names.
     */
    private List<ChangeEntry> entriesInCurrentNames(String table, String recordId) {
        List<ChangeEntry> entries = log.entriesFor(table, recordId);
        TrackedTable t = tables.get(table);
        return t == null || t.formerColumns().renamedTo().isEmpty() ? entries
                : entries.stream().map(t::inCurrentNames).toList();
    }

    /** Announces the received entries stored since the last announcement. */
    private void announceStored() {
        log.announce(unannounced, unannouncedFrom);
        unannounced.clear();
    }

    private void setGuard(int applying) {
        jdbc.sql("UPDATE sync_apply_guard SET applying = ? WHERE id = 1").param(applying).update();
    }

    /** The state of one batch: the head of each origin seen so far and the origins stopped. */
    private final class Batch {
        private final String receivedFrom;
        private final GroupChecks checks;
        private final long receivedAt = System.currentTimeMillis();
        private final Map<String, ChangeLog.Head> heads = new HashMap<>();
        private final Map<String, RejectReason> stopped = new HashMap<>();
        /** Per origin met: true while its last stored entry continues its group (the group is open). */
        private final Map<String, Boolean> open = new HashMap<>();
        /** Outcomes of entries staged in this batch and placed when their group ended. */
        private final Map<EntryRef, ApplyOutcome> placedLater = new HashMap<>();
        /** The write transaction of the part being applied. */
        private TransactionStatus status;
        /** True once an entry was stored: it may release holds (a clashing row moved, a row's entry came). */
        private boolean mayRelease;
        /** Per origin, the highest version this batch stored in the log (staged entries up to it are done). */
        private final Map<String, Long> storedHeads = new HashMap<>();
        /** Per origin met, the highest version in the log: only entries up to it can be duplicates. */
        private final Map<String, Long> loggedUpTo = new HashMap<>();
        /**
         * Entries checked and due in the log, stored together with one batched insert before anything reads
         * the log (a placement, a look-up of a duplicate) and at the end of each part.
         */
        private final List<ChangeEntry> toStore = new ArrayList<>();
        /**
         * Per origin, the entries of its open group this batch stored, from the group's first entry on: the
         * group is placed from them when its end comes, without reading it back. Absent when the group began
         * before this batch.
         */
        private final Map<String, List<ChangeEntry>> groupSoFar = new HashMap<>();
        /**
         * Groups of one origin that ended in this part, in version order, not on their rows yet. An origin's
         * consecutive groups go on their rows together ({@link #placeRun}), so that many small app transactions (a
         * person's edits while this device was away, each sealed alone) take the bulk way as one large transaction
         * does, instead of one savepoint and a handful of statements each. They are in one write transaction either
         * way, so a reader of the app's file still sees each group whole.
         */
        private final List<List<ChangeEntry>> run = new ArrayList<>();
        /** The entries of {@link #run}. */
        private int runEntries;

        Batch(String receivedFrom, GroupChecks checks, Map<String, ChangeLog.Head> stagedHeads) {
            this.receivedFrom = receivedFrom;
            this.checks = checks;
            heads.putAll(stagedHeads);
        }

        /**
         * At the start of a part after the first: what another write transaction (another delivery, between
         * this one's parts) stored since is taken into account, so its entries are found as duplicates and
         * the next one is checked against its real predecessor. Heads of entries staged by this batch, ahead
         * of the log, are kept.
         */
        void refreshHeads(boolean laterPart) {
            if (!laterPart) {
                return;
            }
            loggedUpTo.clear();
            heads.replaceAll((origin, head) -> {
                ChangeLog.Head logged = log.head(origin);
                if (logged.version() > head.version()) {
                    groupSoFar.remove(origin); // another delivery went on with the origin in between
                }
                return logged.version() >= head.version() ? logged : head;
            });
            open.clear();
        }

        /**
         * Applies the entries from {@code offset} on, at least one, until {@code deadline} ({@link System#nanoTime})
         * has passed or {@value #MAX_PER_TRANSACTION} are done, and announces those stored in one event.
         */
        List<ApplyOutcome> applyPart(List<ChangeEntry> work, int offset, long deadline, TransactionStatus status) {
            this.status = status;
            unannounced.clear(); // what a rolled-back part stored is not in the log
            toStore.clear();
            Placer placer = new Placer(status);
            List<ApplyOutcome> outcomes = new ArrayList<>();
            int end = Math.min(work.size(), offset + MAX_PER_TRANSACTION);
            for (int i = offset; i < end && (i == offset || System.nanoTime() < deadline); i++) {
                outcomes.add(applyOne(work.get(i), i, placer));
            }
            placeRun(placer);
            flushStores();
            placer.checkOrphans();
            announceStored();
            return outcomes;
        }

        private ApplyOutcome applyOne(ChangeEntry e, int index, Placer placer) {
            EntryRef ref = EntryRef.of(e);
            if (!run.isEmpty() && !run.get(0).get(0).origin().equals(e.origin())) {
                placeRun(placer); // origins' entries go on their rows in the order they came
            }
            if (stopped.containsKey(e.origin())) {
                return new ApplyOutcome(ref, Result.REJECTED, RejectReason.EARLIER_REJECTED,
                        "an earlier entry of this origin was rejected: " + stopped.get(e.origin()));
            }
            // Only an entry at or below the origin's head in the log can be stored already.
            long logged = loggedUpTo.computeIfAbsent(e.origin(), o -> log.head(o).version());
            if (e.version() <= logged) {
                flushStores(); // it may be one of this batch's, not yet written
            }
            var stored = e.version() <= logged ? log.hashOf(e.origin(), e.version()) : Optional.<String>empty();
            if (stored.isPresent()) {
                return stored.get().equals(e.hash()) ? ApplyOutcome.of(ref, Result.DUPLICATE)
                        : reject(e, RejectReason.DIFFERENT_ENTRY, "differs from the stored entry with the same origin and version");
            }
            ChangeLog.Head head = heads.computeIfAbsent(e.origin(), log::head);
            boolean groupOpen = open.computeIfAbsent(e.origin(), o -> log.openGroupHead(o).isPresent());
            if (e.version() != head.version() + 1) {
                return reject(e, RejectReason.OUT_OF_ORDER, "out of order: expected version " + (head.version() + 1));
            }
            if (!checks.hashOk(index)) {
                return reject(e, RejectReason.BAD_HASH, "hash does not match the content");
            }
            if (!Objects.equals(e.prevHash(), head.hash())) {
                return reject(e, RejectReason.BROKEN_CHAIN, "prevHash does not match the hash of version " + head.version());
            }
            switch (checks.verdict(index)) {
                case BAD_SIGNATURE -> {
                    return reject(e, RejectReason.BAD_SIGNATURE, "the signature of its group's last entry (version "
                            + checks.badGroupEnd(index) + ") does not verify against the origin's key");
                }
                case WAITS_FOR_END -> {
                    // No signature covers it yet: it waits outside the log for the entry that ends its group.
                    staged.stage(e, receivedFrom, receivedAt);
                    heads.put(e.origin(), new ChangeLog.Head(e.version(), e.hash()));
                    return ApplyOutcome.of(ref, Result.STAGED);
                }
                case FAILED_BEFORE_SIGNATURE -> {
                    // an earlier entry of the delivery that this one depends on failed a check
                    return reject(e, RejectReason.BROKEN_CHAIN, "does not chain to the entry before it");
                }
                case SIGNED_FOR -> {
                    // checked: stored below
                }
            }
            // It verifies: store it whatever happens to its row, so the chain goes on and it is relayed.
            toStore.add(e);
            unannounced.add(e);
            unannouncedFrom = receivedFrom;
            loggedUpTo.put(e.origin(), e.version());
            heads.put(e.origin(), new ChangeLog.Head(e.version(), e.hash()));
            storedHeads.put(e.origin(), e.version());
            clock.observe(e.hlc());
            mayRelease = true;
            open.put(e.origin(), e.continues());
            if (!groupOpen) {
                groupSoFar.put(e.origin(), new ArrayList<>());
            }
            List<ChangeEntry> group = groupSoFar.get(e.origin());
            if (group != null) {
                group.add(e);
            }
            if (e.continues()) {
                return ApplyOutcome.of(ref, Result.STAGED);
            }
            groupSoFar.remove(e.origin());
            if (groupOpen && group == null) { // the group began before this batch: read back from the log
                placeRun(placer);
                flushStores(); // e and what came before it in this part, which the read below must find
                return placeGroup(log.group(e.origin(), e.version()), placer);
            }
            List<ChangeEntry> ended = groupOpen ? group : List.of(e);
            run.add(ended);
            runEntries += ended.size();
            if (runEntries >= RUN_LIMIT) {
                placeRun(placer);
            }
            return ApplyOutcome.of(ref, Result.STAGED); // its placement's outcome replaces this (placedLater)
        }

        /** Puts the pending {@link #run} on its rows ({@link #placeGroups}), each entry's outcome in {@link #placedLater}. */
        private void placeRun(Placer placer) {
            if (run.isEmpty()) {
                return;
            }
            List<List<ChangeEntry>> groups = List.copyOf(run);
            run.clear();
            runEntries = 0;
            placedLater.putAll(placeGroups(groups, placer));
        }

        private void flushStores() {
            if (!toStore.isEmpty()) {
                log.store(toStore, receivedFrom, receivedAt);
                toStore.clear();
            }
        }

        /**
         * Puts a whole group on its rows, in version order, and answers the outcome of its last entry. An entry
         * whose row clashes on a UNIQUE value is tried again after the rest of the group: in one app transaction
         * a row may take the value another row gives up, which clashes only half way through the group. Its
         * first try leaves neither a hold nor a conflict record behind (its savepoint is rolled back and the
         * clash is not recorded). (Two rows that swap a value clash whichever goes first; they stay a clash for
         * a person.)
         */
        private ApplyOutcome placeGroup(List<ChangeEntry> group, Placer placer) {
            Map<EntryRef, ApplyOutcome> outcomes = placeGroups(List.of(group), placer);
            EntryRef last = EntryRef.of(group.get(group.size() - 1));
            outcomes.forEach((ref, outcome) -> {
                if (!ref.equals(last)) {
                    placedLater.put(ref, outcome);
                }
            });
            return outcomes.get(last);
        }

        /**
         * Puts consecutive groups of one origin on their rows ({@link #placeGroup} for one). Several go in bulk
         * together only if every entry of them that changes something is clean ({@link Placer#placeInBulk(List,
         * boolean)}); otherwise each group goes as it would alone: its clean entries in bulk, then the rest entry by
         * entry, an entry that clashes on a UNIQUE value tried again after the rest of its own group. So each group
         * meets its rows as it would placed alone.
         *
         * @return every entry's outcome
         */
        private Map<EntryRef, ApplyOutcome> placeGroups(List<List<ChangeEntry>> groups, Placer placer) {
            flushStores(); // placing reads the log (the row's entries, heads) and hooks may too
            Map<EntryRef, ApplyOutcome> outcomes = new HashMap<>();
            if (groups.size() > 1) {
                List<ChangeEntry> all = groups.stream().flatMap(List::stream).toList();
                all.forEach(g -> unplaced.add(EntryRef.of(g)));
                try {
                    if (!placer.placeInBulk(all, true).isEmpty()) { // every entry that changes something is placed
                        all.forEach(g -> outcomes.put(EntryRef.of(g), ApplyOutcome.of(EntryRef.of(g), Result.APPLIED)));
                        return outcomes;
                    }
                } finally {
                    unplaced.clear();
                }
                groups.forEach(group -> outcomes.putAll(placeGroups(List.of(group), placer)));
                return outcomes;
            }
            List<ChangeEntry> group = groups.get(0);
            group.forEach(g -> unplaced.add(EntryRef.of(g)));
            List<ChangeEntry> clashed = new ArrayList<>();
            try {
                for (ChangeEntry g : placer.placeInBulk(group)) {
                    unplaced.remove(EntryRef.of(g));
                    outcomes.put(EntryRef.of(g), ApplyOutcome.of(EntryRef.of(g), Result.APPLIED));
                }
                for (ChangeEntry g : group) {
                    if (outcomes.containsKey(EntryRef.of(g))) {
                        continue;
                    }
                    unplaced.remove(EntryRef.of(g));
                    ApplyOutcome outcome = g.changesNothing() ? ApplyOutcome.of(EntryRef.of(g), Result.APPLIED)
                            : placer.place(g, false, true);
                    if (outcome.result() == Result.HELD && outcome.reason() == HoldReason.UNIQUE) {
                        clashed.add(g); // nothing of it was kept: tried again after the rest of the group
                    }
                    outcomes.put(EntryRef.of(g), outcome);
                }
                for (ChangeEntry g : clashed) {
                    outcomes.put(EntryRef.of(g), placeOne(g, placer));
                }
            } finally {
                unplaced.clear();
            }
            return outcomes;
        }

        /**
         * Puts one stored entry on its row. An entry that changes nothing only ends its group: it touches
         * neither the row nor its state (the origin's state does not name it either), so it can neither cover
         * an entry this device has not placed yet nor make a later edit look concurrent.
         */
        private ApplyOutcome placeOne(ChangeEntry e, Placer placer) {
            return e.changesNothing() ? ApplyOutcome.of(EntryRef.of(e), Result.APPLIED) : placer.place(e, false, false);
        }

        private ApplyOutcome reject(ChangeEntry e, RejectReason reason, String detail) {
            stopped.put(e.origin(), reason);
            return new ApplyOutcome(EntryRef.of(e), Result.REJECTED, reason, detail);
        }
    }

    /** Puts stored entries on their rows, each in a savepoint of the current transaction, or holds them. */
    private final class Placer {
        private final TransactionStatus status;
        private final ConcurrentEditPolicy decider = policy.getIfAvailable(() -> ConcurrentEditPolicy.LATEST_WINS);
        private final List<AppliedEntryListener> hooks = listeners.orderedStream().toList();
        private final Set<Orphans.Candidate> orphanCandidates = new java.util.LinkedHashSet<>();
        /** Head versions per origin as last read ({@link #headAtLeast}); they only grow. */
        private final Map<String, Long> knownHeads = new HashMap<>();
        /** Origins asked about {@link RefusedOrigins} in this transaction. */
        private final Map<String, Boolean> refusedHere = new HashMap<>();
        /** Foreign keys per table, read once per transaction (the schema cannot change while it holds the lock). */
        private final Map<String, List<Orphans.ForeignKey>> foreignKeys = new HashMap<>();
        /**
         * False while {@code sync_held} is known to be empty: read once per transaction (no other writer can
         * add a hold while it holds the lock) and set by every hold this placer makes.
         */
        private boolean holdsMayExist;

        Placer(TransactionStatus status) {
            this.status = status;
            this.holdsMayExist = held.any();
        }

        /**
         * Puts the group's clean entries on their rows in bulk: those that create a row nobody here has seen
         * (an INSERT made on nothing, of a key with no row and no row state here) and those made on top of
         * everything their row has seen (the base dominates the row state's vector: no concurrent edit, so
         * the entry simply applies), of a table that has every column of their data. One query for the states
         * and one for the rows of all of them, one batched statement per run of inserts, upserts or deletes,
         * one read of the rows as stored (for their column hashes) and one batched save of their states, all
         * under one savepoint. That is what an initial sync and an incremental one are made of, and it takes
         * the per-entry statements (state, local row, savepoint and release, write, read-back, state write)
         * down to a handful per group. If anything fails (a constraint, say), the savepoint is rolled back and
         * every entry goes the per-entry way. Only when no hold exists (so none can block a row); a row
         * written twice in the group goes the per-entry way, and the order of those entries among themselves
         * is kept.
         *
         * @return the entries placed, each {@code APPLIED}
         */
        List<ChangeEntry> placeInBulk(List<ChangeEntry> group) {
            return placeInBulk(group, false);
        }

        /**
         * As {@link #placeInBulk(List)}; with {@code whole}, all or nothing: if any entry that changes something
         * would go the per-entry way, none is placed. A run of groups asks so: bulk writes every row of it before
         * the per-entry way starts, so a later group's clean entry would otherwise go in before an earlier group's
         * other entries, which placed alone would have met the row as it was (a UNIQUE value, say).
         */
        List<ChangeEntry> placeInBulk(List<ChangeEntry> group, boolean whole) {
            if (holdsMayExist || group.size() < BULK_FROM) {
                return List.of();
            }
            Map<String, List<ChangeEntry>> byTable = new java.util.LinkedHashMap<>();
            Set<String> rowsMet = new HashSet<>();
            for (ChangeEntry e : group) {
                if (whole && e.changesNothing()) {
                    continue; // it touches no row: nothing to place, in any order
                }
                if (!rowsMet.add(e.table() + '\u0000' + e.recordId())) {
                    if (whole) {
                        return List.of();
                    }
                    byTable.computeIfPresent(e.table(), (t, list) -> {
                        list.removeIf(x -> x.recordId().equals(e.recordId()));
                        return list;
                    });
                    continue; // a row written twice in the group goes the per-entry way, in order
                }
                TrackedTable t = tables.get(e.table());
                if (t != null && e.kind() == Kind.EDIT && !e.changesNothing() && t.primaryKey().size() == 1
                        && simpleKey(t, e.recordId())) {
                    byTable.computeIfAbsent(e.table(), x -> new ArrayList<>()).add(e);
                } else if (whole) {
                    return List.of();
                }
            }
            byTable.values().removeIf(List::isEmpty);
            if (byTable.isEmpty()) {
                return List.of();
            }
            Object savepoint = status.createSavepoint();
            List<ChangeEntry> placed = new ArrayList<>();
            // as in place(): events of what a hook seals go out only if the savepoint is released
            try (SavepointEvents.Scope events = SavepointEvents.open()) {
                for (Map.Entry<String, List<ChangeEntry>> run : byTable.entrySet()) {
                    List<ChangeEntry> clean = placeInBulk(tables.get(run.getKey()), run.getValue());
                    if (whole && clean.size() < run.getValue().size()) {
                        throw new IllegalArgumentException("not every entry of the run is clean: it goes group by group");
                    }
                    placed.addAll(clean);
                }
                // the rows are written: hooks see these entries among their rows' entries, as one by one
                placed.forEach(e -> unplaced.remove(EntryRef.of(e)));
                Set<Orphans.Candidate> candidates = new java.util.LinkedHashSet<>();
                for (ChangeEntry e : placed) {
                    hooks.forEach(l -> l.stored(e, Result.APPLIED, access));
                    candidates.addAll(Orphans.candidates(jdbc, tables, e, tables.get(e.table()), foreignKeys));
                }
                status.releaseSavepoint(savepoint);
                if (events.keepsAny()) {
                    announceStored(); // entries stored before what a hook sealed here are announced first
                }
                events.released();
                orphanCandidates.addAll(candidates);
                return placed;
            } catch (DataAccessException | IllegalArgumentException refused) {
                status.rollbackToSavepoint(savepoint);
                placed.forEach(e -> unplaced.add(EntryRef.of(e)));
                logger.debug("placing {} entries in bulk failed, placing them one by one: {}", group.size(),
                        refused.toString());
                return List.of();
            }
        }

        /** Of {@code entries} (one table, distinct keys), those it placed. */
        private List<ChangeEntry> placeInBulk(TrackedTable t, List<ChangeEntry> entries) {
            Map<String, RowState> states = rows.findAll(t.name(), entries.stream().map(ChangeEntry::recordId).toList());
            Map<ChangeEntry, Object> keyOf = new java.util.LinkedHashMap<>();
            entries.forEach(e -> keyOf.put(e, RowWriter.key(t, e.recordId()).get(0)));
            // A row with no state may be one the app wrote that the scan has not sealed: the per-entry way.
            // Compared as text, so a row whose key SQLite holds in another storage class ('5' for 5) counts too.
            Set<String> unsealed = new HashSet<>();
            writer.keysPresent(t, entries.stream().filter(e -> !states.containsKey(e.recordId())).map(keyOf::get).toList())
                    .forEach(k -> unsealed.add(String.valueOf(k)));
            List<String> have = writer.columns(t);
            RowLimits rule = limits().get(t.name());
            List<Map<String, Object>> written = new ArrayList<>(); // inserts and upserts, in group order
            List<Object> deleted = new ArrayList<>();
            List<ChangeEntry> clean = new ArrayList<>();
            boolean insertsOnly = true;
            for (ChangeEntry e : entries) {
                RowState current = states.get(e.recordId());
                boolean fresh = current == null && e.operation() == Operation.INSERT && e.base().isEmpty()
                        && !unsealed.contains(String.valueOf(keyOf.get(e)));
                boolean onTop = current != null && e.base().dominates(current.vector()) && unknownBase(e).isEmpty();
                if (!fresh && !onTop) {
                    continue;
                }
                if (e.operation() == Operation.DELETE) {
                    deleted.add(keyOf.get(e));
                    clean.add(e);
                    continue;
                }
                Map<String, Object> row = SqlValues.decodeRow(e.data());
                if (have.containsAll(row.keySet()) && keyOf.get(e).equals(row.get(t.primaryKey().get(0)))
                        && (rule == null || rule.refusal(row).isEmpty())) { // else held, the per-entry way
                    written.add(row);
                    clean.add(e);
                    insertsOnly &= fresh;
                }
            }
            if (clean.isEmpty()) {
                return clean;
            }
            if (insertsOnly) {
                writer.insertAll(t, written);
            } else {
                writer.upsertAll(t, written);
            }
            writer.deleteAll(t, deleted);
            Map<Object, Map<String, Object>> stored = writer.rowsByKey(t, clean.stream()
                    .filter(e -> e.operation() != Operation.DELETE).map(keyOf::get).toList());
            List<RowState> saved = new ArrayList<>(clean.size());
            for (ChangeEntry e : clean) {
                RowState current = states.get(e.recordId());
                RowState after = RowState.writtenBy(e, current == null ? VersionVector.EMPTY : current.vector());
                if (e.operation() == Operation.DELETE) {
                    saved.add(after); // no row, no hashes: as the per-entry way leaves a deleted row's state
                    continue;
                }
                Map<String, Object> row = stored.get(keyOf.get(e));
                if (row == null) {
                    throw new IllegalArgumentException("a row written in bulk is not there: " + e.recordId());
                }
                saved.add(after.withColumnHashes(RowHashes.of(row)));
            }
            rows.saveAll(saved);
            return clean;
        }

        /** True if the record id is one key value that SQLite and JSON hold alike: an integer or a text. */
        private boolean simpleKey(TrackedTable t, String recordId) {
            try {
                Object key = RowWriter.key(t, recordId).get(0);
                return key instanceof Long || key instanceof String;
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }

        /** Reports the rows this placer's entries left without a parent. */
        void checkOrphans() {
            for (Orphans.Candidate c : orphanCandidates) {
                TrackedTable t = tables.get(c.table());
                try {
                    Orphans.Orphan o = t == null ? null : Orphans.check(jdbc, writer, t, c.recordId());
                    if (o != null) {
                        decider.orphaned(o.table(), o.recordId(), o.row(), o.parentTable(), access);
                    }
                } catch (DataAccessException | IllegalArgumentException unanswerable) {
                    // A foreign key naming a table this file lacks, say: finding orphans is a report for a
                    // person, never a reason to undo the entries just applied (and stall their origins).
                    logger.warn("could not check {}/{} for a missing parent: {}", c.table(), c.recordId(),
                            unanswerable.getMessage());
                }
            }
            orphanCandidates.clear();
        }

        /**
         * Applies a stored entry to its row, or holds it; {@code retry} for an entry already held. With
         * {@code clashLater}, a UNIQUE clash leaves nothing behind (no hold, no conflict record: its savepoint
         * is rolled back) and is answered as a UNIQUE hold, for a caller that tries the entry again later.
         */
        ApplyOutcome place(ChangeEntry arrived, boolean retry, boolean clashLater) {
            TrackedTable table = tables.get(arrived.table());
            if (table == null) {
                return hold(arrived, HoldReason.MISSING_TABLE,
                        "table " + arrived.table() + " is not tracked on this device", null);
            }
            ChangeEntry e = table.inCurrentNames(arrived);
            if (!retry && holdsMayExist && held.blocks(e.table(), e.recordId()) && !replacesHeld(e)) {
                return hold(e, HoldReason.WAITING_BEHIND, "an earlier entry of this row is held", null);
            }
            Optional<Awaited> unknown = unknownBase(e);
            if (unknown.isPresent()) {
                holdsMayExist = true;
                held.holdAwaiting(e, unknown.get().detail(), unknown.get().origin(), unknown.get().version(),
                        System.currentTimeMillis());
                return new ApplyOutcome(EntryRef.of(e), Result.HELD, HoldReason.UNKNOWN_BASE, unknown.get().detail());
            }
            Optional<String> overLimit = overLimit(e);
            if (overLimit.isPresent()) {
                return hold(e, HoldReason.LIMIT, overLimit.get(), null);
            }
            RowState current = sealUnscanned(e, table);
            Object savepoint = status.createSavepoint();
            // events of entries sealed in the savepoint (a policy's resolution) go out only if it is released
            try (SavepointEvents.Scope events = SavepointEvents.open()) {
                if (retry) {
                    // released inside the savepoint: the row's rules see the entry as applied, and a failure
                    // rolls the release back with everything else
                    held.release(EntryRef.of(e));
                }
                Placed placed = decide(e, table, current);
                hooks.forEach(l -> l.stored(e, placed.outcome().result(), access));
                orphanCandidates.addAll(Orphans.candidates(jdbc, tables, e, table, foreignKeys));
                status.releaseSavepoint(savepoint);
                if (events.keepsAny()) {
                    announceStored(); // entries stored before what a policy sealed here are announced first
                }
                events.released();
                Set<String> missing = placed.written() || placed.outcome().result() == Result.IGNORED_OLDER
                        ? placed.missing() : lacking(e, table, placed.missing());
                if (!missing.isEmpty()) {
                    holdsMayExist = true;
                    // The row took the columns it has; the values of the others wait for the schema to catch up.
                    // Also when a conflict was settled without writing the entry's data as it is (merged,
                    // local kept, same row): which write holds such a column is decided once it exists.
                    held.hold(e, HoldReason.MISSING_COLUMN, "this table has no column " + String.join(", ", missing),
                            JSON.writeValueAsString(missing), true, System.currentTimeMillis());
                }
                return placed.outcome();
            } catch (IllegalArgumentException bad) {
                status.rollbackToSavepoint(savepoint);
                return hold(e, HoldReason.UNDECODABLE, bad.getMessage(), null);
            } catch (DataAccessException refused) {
                status.rollbackToSavepoint(savepoint);
                HoldReason reason = Constraints.reason(refused);
                String detail = refused.getMostSpecificCause().getMessage();
                if (clashLater && reason == HoldReason.UNIQUE) {
                    return new ApplyOutcome(EntryRef.of(e), Result.HELD, reason, detail);
                }
                String clashWith = null;
                if (reason == HoldReason.UNIQUE && e.operation() != Operation.DELETE) {
                    Optional<Constraints.Clash> clash = Constraints.clash(jdbc, writer, table, e);
                    if (clash.isPresent()) {
                        clashWith = clash.get().recordId();
                        decider.clashed(e, clash.get().recordId(), clash.get().row(), access);
                    }
                }
                return hold(e, reason, detail, clashWith);
            }
        }

        /**
         * The version the entry's base names that this device does not have yet, or empty if it has them all:
         * every version a base names must be one this device has (an origin's own, one before the entry). A
         * base is the row's version vector on the origin when it made the change, so an honest origin only
         * names entries it had; they may arrive after the entry (pages go origin by origin, gossip overtakes a
         * catch-up), and the entry waits for them. A base that names more would make later edits of those
         * origins look older than the entry and be dropped without a conflict. Versions of an origin refused
         * here by a decision ({@link RefusedOrigins}: revoked, forked) will never come, so they are not awaited.
         */
        private Optional<Awaited> unknownBase(ChangeEntry e) {
            for (Map.Entry<String, Long> named : e.base().asMap().entrySet()) {
                String origin = named.getKey();
                long version = named.getValue();
                if (origin.equals(e.origin())) {
                    if (version >= e.version()) {
                        return Optional.of(new Awaited(origin, version,
                                "its base names version " + version + " of its own origin, not one before it"));
                    }
                    continue;
                }
                long have = headAtLeast(origin, version);
                if (version > have && !refused(origin)) {
                    return Optional.of(new Awaited(origin, version, "its base names version " + version + " of "
                            + origin + ", and this device has its entries up to " + have));
                }
            }
            return Optional.empty();
        }

        private boolean refused(String origin) {
            return refusedHere.computeIfAbsent(origin,
                    o -> refusedOrigins.getIfAvailable(() -> x -> false).refuses(o));
        }

        /**
         * Retries the holds awaiting versions this batch stored ({@code heads}: per origin, the highest version
         * stored), at most {@value #MAX_PER_TRANSACTION}; the slow timer retries any left.
         */
        void retryAwaiting(Map<String, Long> heads) {
            int budget = MAX_PER_TRANSACTION;
            for (Map.Entry<String, Long> head : heads.entrySet()) {
                if (budget <= 0) {
                    return;
                }
                List<HeldEntries.Stored> awaiting = held.awaitingUpTo(head.getKey(), head.getValue(), budget);
                budget -= awaiting.size();
                for (HeldEntries.Stored s : awaiting) {
                    EntryRef ref = s.held().entry();
                    Optional<ChangeEntry> e = log.find(ref.origin(), ref.version());
                    if (e.isEmpty()) {
                        held.release(ref);
                        continue;
                    }
                    if (held.blocks(e.get().table(), e.get().recordId())) {
                        continue; // an earlier entry of its row is held whole: the general retry takes it in order
                    }
                    if (!readiness.ready(e.get().table())) {
                        continue; // its rows may hold writes no trigger saw: retried after the scan (TableScanned)
                    }
                    ApplyOutcome outcome = place(e.get(), true, false);
                    if (outcome.result() != Result.HELD) {
                        hooks.forEach(l -> l.released(e.get(), outcome.result(), access));
                    }
                }
            }
            checkOrphans();
        }

        /** The origin's head version here; read again only when the one known is below {@code wanted}. */
        private long headAtLeast(String origin, long wanted) {
            Long known = knownHeads.get(origin);
            if (known == null || known < wanted) {
                known = log.head(origin).version();
                knownHeads.put(origin, known);
            }
            return known;
        }

        /** Why the table's {@link RowLimits} refuse the entry's row, or empty (also for data that does not decode). */
        private Optional<String> overLimit(ChangeEntry e) {
            RowLimits rule = limits().get(e.table());
            if (rule == null || e.data() == null) {
                return Optional.empty();
            }
            try {
                return rule.refusal(SqlValues.decodeRow(e.data()));
            } catch (IllegalArgumentException undecodable) {
                return Optional.empty(); // held as undecodable when it is written
            }
        }

        /**
         * The columns of the entry's data this table lacks ({@code known}, if the row was written from the
         * data, already names them), in data order; empty for a delete or data that does not decode.
         */
        private Set<String> lacking(ChangeEntry e, TrackedTable table, Set<String> known) {
            if (!known.isEmpty() || e.operation() == Operation.DELETE || e.data() == null) {
                return known;
            }
            Map<String, Object> data;
            try {
                data = SqlValues.decodeRow(e.data());
            } catch (IllegalArgumentException undecodable) {
                return known;
            }
            Set<String> out = new java.util.LinkedHashSet<>(data.keySet());
            writer.columns(table).forEach(out::remove);
            writer.dropUnawaited(table, out);
            return out;
        }

        /**
         * A row the app wrote that capture has not sealed yet (it was there before the table was tracked, and
         * the scan has not reached it) is sealed now as this device's INSERT, before the remote entry is
         * decided: otherwise its value would be overwritten without a trace, not met as a concurrent edit.
         * Outside the entry's savepoint, so it stands or falls with the whole part. Answers the row's state, as
         * it is now (null for a row never seen).
         */
        private RowState sealUnscanned(ChangeEntry e, TrackedTable table) {
            Optional<RowState> state = rows.find(e.table(), e.recordId());
            if (state.isPresent()) {
                return state.get();
            }
            Optional<Map<String, Object>> local;
            try {
                local = writer.row(table, e.recordId());
            } catch (IllegalArgumentException undecodableKey) {
                return null; // the entry itself is held as undecodable
            }
            if (local.isEmpty()) {
                return null;
            }
            sealer.seal(new RowChange(e.table(), e.recordId(), Operation.INSERT, Kind.EDIT,
                    SqlValues.encodeRow(local.get()), null));
            return rows.find(e.table(), e.recordId()).orElse(null);
        }

        /**
         * True if {@code e} was made on top of every entry held whole for its row: they need never apply, so
         * they are released and {@code e} goes ahead.
         */
        private boolean replacesHeld(ChangeEntry e) {
            List<EntryRef> blocking = held.wholeHoldsOf(e.table(), e.recordId());
            List<ChangeEntry> replaced = new ArrayList<>(blocking.size());
            Twins twins = null;
            for (EntryRef ref : blocking) {
                ChangeEntry h = log.find(ref.origin(), ref.version()).orElse(null);
                if (h != null && !Causality.covers(e, h)) {
                    twins = twins != null ? twins : Twins.among(entriesInCurrentNames(e.table(), e.recordId()));
                    if (!twins.covers(e, h)) { // made on top of a copy identical to the held one: it replaces it too
                        return false;
                    }
                }
                if (h != null) {
                    replaced.add(h);
                }
            }
            blocking.forEach(held::release);
            replaced.forEach(h -> hooks.forEach(l -> l.replaced(h, e, access)));
            return true;
        }

        private ApplyOutcome hold(ChangeEntry e, HoldReason reason, String detail, String waitingOn) {
            holdsMayExist = true;
            held.hold(e, reason, detail, waitingOn, false, System.currentTimeMillis());
            logger.debug("held {} ({}/{}): {} {}", EntryRef.of(e), e.table(), e.recordId(), reason.code(), detail);
            return new ApplyOutcome(EntryRef.of(e), Result.HELD, reason, detail);
        }

        /**
         * Retries one pass of at most {@value #MAX_RETRIES_PER_PASS} holds in log order, those whose entries
         * come after log id {@code after} (0: from the oldest).
         */
        Pass retry(boolean schemaToo, long after) {
            int released = 0;
            // rows whose earlier entries are held for the schema and not retried now: later ones keep waiting
            Set<String> stillBlocked = schemaToo ? new HashSet<>() : new HashSet<>(held.rowsWaitingForSchema());
            if (after > 0) {
                // and rows with an entry held before this pass: the pass cannot try it first
                stillBlocked.addAll(held.rowsHeldWholeUpTo(after));
            }
            List<HeldEntries.Stored> pass = held.toRetry(schemaToo, after, MAX_RETRIES_PER_PASS);
            long next = pass.size() < MAX_RETRIES_PER_PASS ? 0 : pass.get(pass.size() - 1).logId();
            Map<String, List<ChangeEntry>> heldOfRow = new HashMap<>();
            Map<EntryRef, ChangeEntry> entries = new HashMap<>();
            Map<String, Boolean> ready = new HashMap<>();
            for (HeldEntries.Stored s : pass) {
                log.find(s.held().entry().origin(), s.held().entry().version()).ifPresent(e -> {
                    entries.put(s.held().entry(), e);
                    if (!s.held().partial() && s.held().reason() != HoldReason.UNKNOWN_BASE) {
                        heldOfRow.computeIfAbsent(s.held().table() + '\u0000' + s.held().recordId(), k -> new ArrayList<>()).add(e);
                    }
                });
            }
            for (HeldEntries.Stored s : pass) {
                HeldEntry h = s.held();
                String row = h.table() + '\u0000' + h.recordId();
                ChangeEntry e = entries.get(h.entry());
                if (e == null) {
                    held.release(h.entry());
                    continue;
                }
                if (!ready.computeIfAbsent(h.table(), readiness::ready)) {
                    stillBlocked.add(row); // its rows may hold writes no trigger saw: after the scan (TableScanned)
                    continue;
                }
                Optional<ChangeEntry> replacement = h.partial() ? Optional.empty()
                        : replacementAmong(e, heldOfRow.getOrDefault(row, List.of()));
                if (replacement.isPresent()) {
                    // A later held entry of the row was made on top of this one: it replaces it, so this one
                    // need never apply (a NOT NULL fixed by the next edit, a clash the next edit removes).
                    held.release(h.entry());
                    hooks.forEach(l -> l.replaced(e, replacement.get(), access));
                    released++;
                    continue;
                }
                if (h.partial()) {
                    if (fillMissingColumns(e, s.waitingOn())) {
                        released++;
                    }
                    continue;
                }
                if (stillBlocked.contains(row)) {
                    continue; // an earlier entry of the row stays held: this one keeps waiting behind it
                }
                ApplyOutcome outcome = place(e, true, false);
                if (outcome.result() == Result.HELD) {
                    if (outcome.reason() != HoldReason.UNKNOWN_BASE) {
                        stillBlocked.add(row);
                    }
                } else {
                    released++;
                    hooks.forEach(l -> l.released(e, outcome.result(), access));
                }
            }
            checkOrphans();
            return new Pass(released, next);
        }

        /** The first of {@code later}, held entries of the row, made on top of {@code e} or of a copy of it. */
        private Optional<ChangeEntry> replacementAmong(ChangeEntry e, List<ChangeEntry> later) {
            Optional<ChangeEntry> direct = later.stream().filter(l -> Causality.covers(l, e)).findFirst();
            if (direct.isPresent() || !Twins.firstSeal(e) || later.stream().allMatch(l -> l.base().isEmpty())) {
                return direct;
            }
            Twins twins = Twins.among(entriesInCurrentNames(e.table(), e.recordId()));
            return later.stream().filter(l -> twins.covers(l, e)).findFirst();
        }

        /**
         * A partly applied entry: once the table has the missing columns, write their values unless a later
         * write of the column (one that saw this entry, or a concurrent one with a later clock) holds the
         * column, or the row is gone. Answers true if nothing is missing any more.
         */
        private boolean fillMissingColumns(ChangeEntry partial, String waitingOn) {
            TrackedTable table = tables.get(partial.table());
            if (table == null) {
                return false;
            }
            // a column renamed here since the hold is waited for under the name it has now
            ChangeEntry e = table.inCurrentNames(partial);
            List<String> missing = new ArrayList<>(JSON.readValue(waitingOn,
                    new tools.jackson.core.type.TypeReference<List<String>>() { }));
            Set<String> named = partial.data() == null ? Set.of() : SqlValues.decodeRow(partial.data()).keySet();
            missing.replaceAll(c -> table.currentName(c, named));
            // a hold made before generated columns were told apart, or before this device followed a drop, waits on a
            // column nothing will bring
            writer.dropUnawaited(table, missing);
            if (missing.isEmpty()) {
                held.release(EntryRef.of(e));
                return true;
            }
            List<String> have = writer.columns(table);
            List<String> now = missing.stream().filter(have::contains).toList();
            if (now.isEmpty()) {
                return false;
            }
            Map<String, Object> data = SqlValues.decodeRow(e.data());
            Map<String, Object> values = new java.util.LinkedHashMap<>();
            List<ChangeEntry> others = entriesInCurrentNames(e.table(), e.recordId());
            for (String column : now) {
                Optional<ChangeEntry> holder = Causality.latestWriterOf(column, others, held);
                if (holder.filter(w -> EntryRef.of(w).equals(EntryRef.of(e))).isPresent()) {
                    values.put(column, data.get(column));
                }
            }
            writer.update(table, e.recordId(), values);
            rows.find(e.table(), e.recordId()).ifPresent(s -> rows.save(withHashes(s, table)));
            if (now.size() == missing.size()) {
                held.release(EntryRef.of(e));
                return true;
            }
            List<String> left = missing.stream().filter(c -> !have.contains(c)).toList();
            held.hold(e, HoldReason.MISSING_COLUMN, "this table has no column " + String.join(", ", left),
                    JSON.writeValueAsString(left), true, System.currentTimeMillis());
            return false;
        }

        /** Decides and writes the row (throws if SQLite refuses it; the caller rolls back the savepoint). */
        /** Decides {@code e} against its row, whose state is {@code current} (null if it has none). */
        private Placed decide(ChangeEntry e, TrackedTable table, RowState current) {
            VersionVector seen = current == null ? VersionVector.EMPTY : current.vector();
            EntryRef ref = EntryRef.of(e);
            if (e.base().dominates(seen)) {
                return applied(e, table, seen);
            }
            boolean mayBeCopy = Twins.firstSeal(e);
            if (seen.dominates(e.vector()) && !mayBeCopy) {
                return arrivedLate(e);
            }
            // Off the common paths: identical first seals of the row (copies of one file) count as one write.
            List<ChangeEntry> entries = access.entries(e.table(), e.recordId());
            Twins twins = Twins.among(entries);
            if (!twins.isEmpty()) {
                if (twins.close(e.base()).dominates(seen)) {
                    return applied(e, table, seen); // made on top of a copy identical to the one the row has
                }
                if (twins.close(seen).dominates(e.vector())) {
                    // a copy of a row this row has seen a copy of: no conflict, but an entry here made on top of
                    // this copy now replaces every copy, so a policy that computes rows computes it again
                    rows.save(withHashes(current.overruling(e), table));
                    if (entries.size() > twins.of(e).size() + 1) {
                        decider.arrivedLate(e, access).run(access);
                    }
                    return new Placed(ApplyOutcome.of(ref, Result.IGNORED_OLDER), Set.of());
                }
            }
            if (seen.dominates(e.vector())) {
                return arrivedLate(e);
            }
            Map<String, Object> localRow = writer.row(table, e.recordId()).orElse(null);
            Settled settled;
            if (localRow == null && e.operation() == Operation.DELETE
                    || localRow != null && e.data() != null && SqlValues.sameRow(localRow, remoteRow(e, localRow))) {
                settled = Settled.just(Decision.SAME_ROW);
            } else if (table.keyAssignedBySqlite() && e.operation() == Operation.INSERT && localRow != null
                    && insertedHere(current)) {
                settled = decider.collided(e, current, localRow, access);
            } else {
                settled = decider.decide(e, current, localRow, access);
            }
            Set<String> missing = Set.of();
            if (settled.decision() == Decision.TAKE_REMOTE) {
                missing = write(e, table);
                rows.save(withHashes(RowState.writtenBy(e, seen), table));
            } else {
                rows.save(withHashes(current.overruling(e), table));
            }
            settled.then().run(access);
            Result result = settled.decision() == Decision.SAME_ROW ? Result.APPLIED : Result.CONFLICT;
            return new Placed(new ApplyOutcome(ref, result, result == Result.CONFLICT ? settled.decision() : null,
                    null), missing);
        }

        /**
         * An entry the row has already counted as seen, though it is only being placed now: an entry made on top
         * of it was placed first (pages, gossip and relays can bring an origin's entries before those of the
         * origins they were made on). Its values were never written here, so the policy may compute the row
         * again from all its entries; without that, the columns the later entry left alone would keep this
         * device's older values for good.
         */
        private Placed arrivedLate(ChangeEntry e) {
            decider.arrivedLate(e, access).run(access);
            return new Placed(ApplyOutcome.of(EntryRef.of(e), Result.IGNORED_OLDER), Set.of());
        }

        private Placed applied(ChangeEntry e, TrackedTable table, VersionVector seen) {
            Set<String> missing = write(e, table);
            rows.save(withHashes(RowState.writtenBy(e, seen), table));
            return new Placed(ApplyOutcome.of(EntryRef.of(e), Result.APPLIED), missing, true);
        }

        /** The entry's row as this table would hold it: only the columns the local row has. */
        private Map<String, Object> remoteRow(ChangeEntry e, Map<String, Object> localRow) {
            try {
                Map<String, Object> remote = SqlValues.decodeRow(e.data());
                remote.keySet().retainAll(localRow.keySet());
                return remote;
            } catch (IllegalArgumentException undecodable) {
                return Map.of();
            }
        }

        /** True if the row's value came from an INSERT (the row was created by the entry it holds). */
        private boolean insertedHere(RowState current) {
            return current.version() > 0 && log.find(current.origin(), current.version())
                    .map(x -> x.operation() == Operation.INSERT).orElse(false);
        }

        private Set<String> write(ChangeEntry e, TrackedTable table) {
            if (e.operation() == Operation.DELETE) {
                writer.delete(table, e.recordId());
                return Set.of();
            }
            return writer.upsert(table, e.recordId(), e.data());
        }
    }

    private Map<String, RowLimits> limits() {
        Map<String, RowLimits> known = limits;
        if (known == null) {
            Map<String, RowLimits> byTable = new HashMap<>();
            rowLimits.orderedStream().forEach(l -> byTable.put(l.table(), l));
            limits = known = Map.copyOf(byTable);
        }
        return known;
    }

    /** A version an entry's base names and this device does not have yet, and the hold's detail for people. */
    private record Awaited(String origin, long version, String detail) {
    }

    /**
     * An entry decided: its outcome and the columns of its data this table lacks; {@code written} if the row
     * was written from the entry's data, which then named exactly those columns.
     */
    private record Placed(ApplyOutcome outcome, Set<String> missing, boolean written) {

        Placed(ApplyOutcome outcome, Set<String> missing) {
            this(outcome, missing, false);
        }
    }
}
