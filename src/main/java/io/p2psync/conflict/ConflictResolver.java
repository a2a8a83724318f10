package io.p2psync.conflict;

import io.p2psync.changes.AppliedEntryListener;
import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.CaptureNotReady;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.ConcurrentEditPolicy;
import io.p2psync.changes.EntryRef;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RemoteChangeApplier;
import io.p2psync.changes.RowAccess;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.RowState;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.TrackedTables;
import io.p2psync.changes.VersionVector;
import io.p2psync.conflict.Settlement.Outcome;
import io.p2psync.conflict.Settlement.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records and settles conflicts. The applier asks {@link #decide} about an incoming entry that is concurrent
 * with the row; the answer is the decision and what follows from it (record the conflict, log a resolution,
 * recompute the row), which the applier runs in the entry's savepoint right after writing the row: a
 * conflict is recorded only when the write it describes commits, and no state passes between hooks.
 * <ul>
 *   <li>each concurrent entry becomes one {@code sync_conflicts} row with both sides, and one log line;</li>
 *   <li>{@code merge} (the default) and {@code timestamp} recompute the row from every entry held for it,
 *       causality first ({@link ColumnMerge}); {@code manual} keeps the row and waits for a person;
 *       {@code local}/{@code remote} log a RESOLUTION entry with the chosen row, its base covering both;</li>
 *   <li>a UNIQUE clash, a row left without its parent, and two inserts under one SQLite-assigned key are
 *       pending conflicts of their own kind ({@link ConflictKind}), whatever the policy;</li>
 *   <li>an incoming RESOLUTION whose base covers a pending conflict here closes it.</li>
 * </ul>
 * A person resolves or ignores pending conflicts with {@link #resolve}, {@link #resolveWith} and
 * {@link #ignore}; a resolution is written and logged as a RESOLUTION entry of this device, and held entries
 * it may release are retried.
 *
 * <p>A resolution is written without a trigger, so it waits, as an entry from another device does, while a row
 * of its table may hold a write of the app that no trigger saw (the app re-created the table, which drops the
 * capture triggers, or the node has not scanned it since it started): written over, that write would be lost
 * here and never sent. It waits up to the applier's patience (10 s) for the node to put the triggers back and
 * the reconciliation scan to seal such writes, then is written on top of them, as it is on top of any edit the
 * app made after the conflict arose: they are entries of their own, sent to every device, and the resolution's
 * base covers them. If the table is still not ready then, the resolution is refused with
 * {@link CaptureNotReady}: nothing is written, the conflict stays pending, and the same request succeeds later.
 */
@Service
public class ConflictResolver implements ConcurrentEditPolicy, AppliedEntryListener {

    private static final Logger log = LoggerFactory.getLogger(ConflictResolver.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConflictSettings settings;
    private final ConflictRepository conflicts;
    private final ChangeTracker tracker;
    private final RemoteChangeApplier applier;
    private final TrackedTables tables;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ConflictMetrics metrics;

    public ConflictResolver(ConflictSettings settings, ConflictRepository conflicts, ChangeTracker tracker,
            RemoteChangeApplier applier, TrackedTables tables, TransactionTemplate tx) {
        this(settings, conflicts, tracker, applier, tables, tx, new SimpleMeterRegistry());
    }

    @Autowired
    public ConflictResolver(ConflictSettings settings, ConflictRepository conflicts, ChangeTracker tracker,
            RemoteChangeApplier applier, TrackedTables tables, TransactionTemplate tx, MeterRegistry meters) {
        this.metrics = new ConflictMetrics(meters);
        this.settings = settings;
        this.conflicts = conflicts;
        this.tracker = tracker;
        this.applier = applier;
        this.tables = tables;
        this.tx = tx;
        this.clock = Clock.tick(Clock.systemUTC(), java.time.Duration.ofMillis(1)); // ISO times to the millisecond
    }

    @Override
    public Settled decide(ChangeEntry remote, RowState local, Map<String, Object> localRow, RowAccess rows) {
        ConflictPolicy policy = settings.policyFor(remote.table());
        WriteClock localClock = new WriteClock(local.hlc(), local.origin());
        Verdict verdict = Settlement.settle(policy, localClock, kindOf(local), remote);
        String localData = localRow == null ? null : SqlValues.encodeRow(localRow);
        Conflict.Side localSide = new Conflict.Side(localData, local.vector(), local.origin(), local.hlc(),
                local.origin() + "#" + local.version());
        if (verdict.outcome() == Outcome.MERGE) {
            FollowUp record = r -> record(ConflictKind.EDIT, remote, policy, verdict.status(), verdict.resolution(),
                    localSide, Decision.RECOMPUTE);
            return new Settled(Decision.RECOMPUTE, record.andThen(r -> recompute(remote, r, true)));
        }
        if (verdict.writesResolution()) {
            boolean takeRemote = verdict.outcome() == Outcome.TAKE_REMOTE;
            FollowUp record = r -> record(ConflictKind.EDIT, remote, policy, verdict.status(), verdict.resolution(),
                    localSide, takeRemote ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL);
            return new Settled(takeRemote ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL,
                    record.andThen(r -> writeResolution(remote, takeRemote ? remote.data() : localData)));
        }
        if (verdict.status() == ConflictStatus.PENDING) {
            return new Settled(Decision.KEEP_LOCAL,
                    r -> record(ConflictKind.EDIT, remote, policy, verdict.status(), null, localSide, Decision.KEEP_LOCAL));
        }
        // Later wins, causality first: the latest write that no other write of the row covers, which may be
        // neither side when the row's value was itself replaced by a write that is not here yet.
        ColumnMerge.Merged latest = ColumnMerge.latest(rows.entries(remote.table(), remote.recordId()));
        ChangeEntry winner = latest == null ? remote : latest.top();
        Decision d = winner.equals(remote) ? Decision.TAKE_REMOTE
                : winner.origin().equals(local.origin()) && winner.version() == local.version()
                        ? Decision.KEEP_LOCAL : Decision.RECOMPUTE;
        String prefix = verdict.resolution().startsWith("timestamp: concurrent resolutions")
                ? "timestamp: concurrent resolutions, " : "timestamp: ";
        String resolution = prefix + switch (d) {
            case TAKE_REMOTE -> "remote is later";
            case KEEP_LOCAL -> "local is later";
            default -> EntryRef.of(winner) + " is the latest write neither side covers";
        };
        FollowUp record = r -> record(ConflictKind.EDIT, remote, policy, verdict.status(), resolution, localSide, d);
        return new Settled(d, d == Decision.RECOMPUTE ? record.andThen(r -> recompute(remote, r, false)) : record);
    }

    /**
     * Under merge and timestamp the row is a function of its entries: computed again with the late one among
     * them, unless a conflict of the row waits for a person (a key collision keeps the local row until then).
     */
    @Override
    public FollowUp arrivedLate(ChangeEntry entry, RowAccess rows) {
        if (!conflicts.pendingFor(entry.table(), entry.recordId()).isEmpty()) {
            return FollowUp.NONE;
        }
        return switch (settings.policyFor(entry.table())) {
            case MERGE -> r -> recompute(entry, r, true);
            case TIMESTAMP -> r -> recompute(entry, r, false);
            default -> FollowUp.NONE;
        };
    }

    @Override
    public Settled collided(ChangeEntry remote, RowState local, Map<String, Object> localRow, RowAccess rows) {
        Conflict.Side localSide = new Conflict.Side(SqlValues.encodeRow(localRow), local.vector(), local.origin(),
                local.hlc(), local.origin() + "#" + local.version());
        return new Settled(Decision.KEEP_LOCAL, r -> record(ConflictKind.KEY_COLLISION, remote,
                settings.policyFor(remote.table()), ConflictStatus.PENDING, null, localSide, Decision.KEEP_LOCAL));
    }

    @Override
    public void clashed(ChangeEntry remote, String localRecordId, Map<String, Object> localRow, RowAccess rows) {
        if (!conflicts.pending(ConflictKind.UNIQUE, remote.table(), "\u0000", EntryRef.of(remote).toString()).isEmpty()) {
            return; // recorded when it was first held
        }
        RowState state = rows.state(remote.table(), localRecordId).orElse(null);
        Conflict.Side localSide = state == null
                ? new Conflict.Side(SqlValues.encodeRow(localRow), VersionVector.EMPTY, "", 0, null)
                : new Conflict.Side(SqlValues.encodeRow(localRow), state.vector(), state.origin(), state.hlc(),
                        state.origin() + "#" + state.version());
        record(ConflictKind.UNIQUE, remote, settings.policyFor(remote.table()), ConflictStatus.PENDING, null, localSide,
                Decision.KEEP_LOCAL);
    }

    @Override
    public void orphaned(String table, String recordId, Map<String, Object> child, String parentTable, RowAccess rows) {
        if (!conflicts.pending(ConflictKind.ORPHAN, table, recordId, "\u0000").isEmpty()) {
            return;
        }
        RowState state = rows.state(table, recordId).orElse(null);
        VersionVector vector = state == null ? VersionVector.EMPTY : state.vector();
        String origin = state == null ? "" : state.origin();
        long hlc = state == null ? 0 : state.hlc();
        String entry = state == null ? null : state.origin() + "#" + state.version();
        Instant now = clock.instant();
        Conflict c = conflicts.insert(new Conflict(0, table, recordId, ConflictStatus.PENDING,
                settings.policyFor(table), new Conflict.Side(SqlValues.encodeRow(child), vector, origin, hlc, entry),
                new Conflict.Side(null, VersionVector.EMPTY, parentTable, 0, null), null, now, null, ConflictKind.ORPHAN));
        log.info("conflict {} on {}/{}: the row points at a row of {} that another device deleted; pending",
                c.id(), table, recordId, parentTable);
    }

    @Override
    public void stored(ChangeEntry entry, ApplyOutcome.Result result, RowAccess rows) {
        if (entry.kind() == Kind.RESOLUTION) {
            closeCoveredBy(entry, "resolved on device " + entry.origin() + " by " + EntryRef.of(entry));
        }
    }

    @Override
    public void released(ChangeEntry entry, ApplyOutcome.Result result, RowAccess rows) {
        for (Conflict c : conflicts.pending(ConflictKind.UNIQUE, entry.table(), "\u0000", EntryRef.of(entry).toString())) {
            conflicts.close(c.id(), ConflictStatus.RESOLVED, "the clash is gone: " + EntryRef.of(entry) + " applied",
                    clock.instant());
            log.info("conflict {} on {}/{}: the UNIQUE clash is gone, {} applied", c.id(), c.table(), c.recordId(),
                    EntryRef.of(entry));
        }
    }

    /**
     * A held entry was replaced by a later entry of its row: a UNIQUE clash recorded for it is gone with it. If
     * the later entry still clashes, it is held and recorded as a conflict of its own, so a clash is pending
     * once, never once per version of the row.
     */
    @Override
    public void replaced(ChangeEntry held, ChangeEntry by, RowAccess rows) {
        for (Conflict c : conflicts.pending(ConflictKind.UNIQUE, held.table(), "\u0000", EntryRef.of(held).toString())) {
            conflicts.close(c.id(), ConflictStatus.RESOLVED, "the clashing row changed on its device: "
                    + EntryRef.of(held) + " was replaced by " + EntryRef.of(by), clock.instant());
            log.info("conflict {} on {}/{}: {} was replaced by {} before it applied here; closed", c.id(), c.table(),
                    c.recordId(), EntryRef.of(held), EntryRef.of(by));
        }
    }

    /** Records a conflict and counts it (once its transaction commits); {@code decision} is the row's outcome. */
    private void record(ConflictKind kind, ChangeEntry remote, ConflictPolicy policy, ConflictStatus status,
            String resolution, Conflict.Side localSide, Decision decision) {
        Instant now = clock.instant();
        Conflict conflict = conflicts.insert(new Conflict(0, remote.table(), remote.recordId(), status, policy, localSide,
                new Conflict.Side(remote.data(), remote.vector(), remote.origin(), remote.hlc(), EntryRef.of(remote).toString()),
                resolution, now, status == ConflictStatus.PENDING ? null : now, kind));
        log.info("conflict {} ({}) on {}/{}: local {} vs remote {} ({}), policy {}: {}", conflict.id(), kind.dbValue(),
                remote.table(), remote.recordId(), localSide.entry(), conflict.remote().entry(), remote.operation(),
                policy.name().toLowerCase(java.util.Locale.ROOT), status == ConflictStatus.PENDING ? "pending" : resolution);
        metrics.settled(policy, status, decision);
    }

    /**
     * Resolves a pending conflict with one of its sides.
     *
     * @throws ConflictNotFoundException   if there is no such conflict
     * @throws ConflictNotPendingException if it is resolved or ignored already
     * @throws CaptureNotReady             if the row may still hold a write of the app no trigger saw (see the
     *                                     class comment); nothing is written, try again later
     */
    public Conflict resolve(long id, ResolutionStrategy strategy) {
        awaitWritable(id);
        Conflict settled = tx.execute(status -> {
            Conflict c = pending(id);
            String how = "manual: " + strategy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            boolean remoteSide = switch (strategy) {
                case LOCAL -> false;
                case REMOTE -> true;
                case TIMESTAMP -> c.remote().clock().isAfter(c.local().clock());
                case KEEP_BOTH -> {
                    if (c.kind() != ConflictKind.KEY_COLLISION) {
                        throw new IllegalArgumentException("keep-both settles only a key-collision conflict");
                    }
                    yield false;
                }
            };
            return switch (c.kind()) {
                case EDIT -> settleByHand(c, remoteSide ? c.remote().data() : c.local().data(), how);
                case KEY_COLLISION -> {
                    if (strategy == ResolutionStrategy.KEEP_BOTH) {
                        ChangeEntry copy = reinsertUnderNewKey(c);
                        how = how + ", the remote row is now " + c.table() + "/" + copy.recordId();
                    }
                    yield settleByHand(c, remoteSide ? c.remote().data() : c.local().data(), how);
                }
                case UNIQUE -> {
                    // Keep one of the two rows: delete the other, by a resolution that covers what it replaces.
                    if (remoteSide) {
                        String localKey = keyOf(c.table(), c.local().data());
                        yield settleRow(c, c.table(), localKey, null, how);
                    }
                    applier.cover(c.table(), c.recordId(), c.remote().version());
                    yield settleRow(c, c.table(), c.recordId(), null, how);
                }
                case ORPHAN -> remoteSide ? settleByHand(c, null, how) : closeWithoutWriting(c, how);
            };
        });
        applier.retryHeld(false); // a settled clash or collision may let held entries apply
        return settled;
    }

    /**
     * Resolves a pending conflict with a row written by hand. Columns it leaves out take the local side's value
     * (the remote side's if the row was deleted here); key columns may be left out.
     *
     * @param row a JSON object of column to value
     * @throws IllegalArgumentException    if the row is not an object, names unknown columns or another key, or
     *                                     the table refuses it (nothing is written then)
     * @throws ConflictNotFoundException   if there is no such conflict
     * @throws ConflictNotPendingException if it is resolved or ignored already
     * @throws CaptureNotReady             if the row may still hold a write of the app no trigger saw (see the
     *                                     class comment); nothing is written, try again later
     */
    public Conflict resolveWith(long id, String row) {
        awaitWritable(id);
        try {
            return tx.execute(status -> {
                Conflict c = pending(id);
                return settleByHand(c, completeRow(c, row), "manual: data");
            });
        } catch (CaptureNotReady notYet) {
            throw notYet; // not the row's fault: the same row goes in once the table is ready
        } catch (DataAccessException refused) {
            // a NOT NULL or CHECK constraint, say; the transaction rolled back, nothing was written
            throw new IllegalArgumentException("the table refuses the row: " + refused.getMostSpecificCause().getMessage());
        }
    }

    /**
     * Marks a pending conflict ignored: the row stays as it is here and no entry is written.
     *
     * @throws ConflictNotFoundException   if there is no such conflict
     * @throws ConflictNotPendingException if it is resolved or ignored already
     */
    public Conflict ignore(long id) {
        return tx.execute(status -> {
            pending(id);
            conflicts.close(id, ConflictStatus.IGNORED, "ignored", clock.instant());
            log.info("conflict {} ignored", id);
            metrics.settledByHand(ConflictStatus.IGNORED);
            return conflicts.findById(id).orElseThrow();
        });
    }

    /**
     * Before the transaction that resolves: waits for the table of a pending conflict to take a resolution (see
     * the class comment). An unknown or settled conflict is answered inside the transaction, as before.
     */
    private void awaitWritable(long id) {
        conflicts.findById(id).filter(Conflict::pending).ifPresent(c -> applier.awaitWritable(c.table()));
    }

    /**
     * The pending conflict, its sides' rows with their columns named as the table names them now: a conflict
     * recorded before the app renamed a column names it by its old name, and a resolution fills in, keys and
     * writes by the names the table has.
     */
    private Conflict pending(long id) {
        Conflict c = conflicts.findById(id).orElseThrow(() -> new ConflictNotFoundException(id));
        if (!c.pending()) {
            throw new ConflictNotPendingException(c);
        }
        return new Conflict(c.id(), c.table(), c.recordId(), c.status(), c.policy(), inCurrentNames(c.table(), c.local()),
                inCurrentNames(c.table(), c.remote()), c.resolution(), c.createdAt(), c.resolvedAt(), c.kind());
    }

    private Conflict.Side inCurrentNames(String table, Conflict.Side side) {
        return new Conflict.Side(tables.inCurrentNames(table, side.data()), side.version(), side.deviceId(), side.hlc(),
                side.entry());
    }

    private Conflict settleByHand(Conflict c, String data, String resolution) {
        return settleRow(c, c.table(), c.recordId(), data, resolution);
    }

    private Conflict closeWithoutWriting(Conflict c, String resolution) {
        conflicts.close(c.id(), ConflictStatus.RESOLVED, resolution, clock.instant());
        log.info("conflict {} on {}/{} resolved by hand: {}", c.id(), c.table(), c.recordId(), resolution);
        return conflicts.findById(c.id()).orElseThrow();
    }

    /** The remote row of a key collision inserted again under the next key SQLite would assign here. */
    private ChangeEntry reinsertUnderNewKey(Conflict c) {
        List<String> key = tables.primaryKey(c.table());
        Map<String, Object> row = SqlValues.decodeRow(c.remote().data());
        long next = applier.nextRowid(c.table());
        row.put(key.get(0), next);
        return applier.writeLocal(new RowChange(c.table(), SqlValues.encodeKey(List.of(next)), Operation.INSERT,
                Kind.EDIT, SqlValues.encodeRow(row), null));
    }

    /** The record id of the row {@code data} holds. */
    private String keyOf(String table, String data) {
        Map<String, Object> row = SqlValues.decodeRow(data);
        return SqlValues.encodeKey(tables.primaryKey(table).stream().map(row::get).toList());
    }

    private Conflict settleRow(Conflict c, String table, String recordId, String data, String resolution) {
        Operation op = data == null ? Operation.DELETE : Operation.UPDATE;
        ChangeEntry entry = applier.writeLocal(new RowChange(table, recordId, op, Kind.RESOLUTION, data, null));
        conflicts.close(c.id(), ConflictStatus.RESOLVED, resolution + " (" + EntryRef.of(entry) + ")", clock.instant());
        log.info("conflict {} on {}/{} resolved by hand: {}, logged as {}", c.id(), c.table(), c.recordId(), resolution,
                EntryRef.of(entry));
        closeCoveredBy(entry, "resolved here by " + EntryRef.of(entry));
        metrics.settledByHand(ConflictStatus.RESOLVED);
        return conflicts.findById(c.id()).orElseThrow();
    }

    /** After a conflict under local/remote: log the chosen row as a resolution whose base covers both sides. */
    private void writeResolution(ChangeEntry entry, String data) {
        Operation op = data == null ? Operation.DELETE : Operation.UPDATE;
        ChangeEntry resolution = tracker.log(new RowChange(entry.table(), entry.recordId(), op, Kind.RESOLUTION, data, null));
        log.debug("logged resolution {} for {}/{}", EntryRef.of(resolution), entry.table(), entry.recordId());
    }

    /**
     * The row becomes the result of every entry held for it (column by column under merge, the latest
     * uncovered write under timestamp); its vector the merge of all.
     */
    private void recompute(ChangeEntry entry, RowAccess rows, boolean byColumn) {
        List<ChangeEntry> all = rows.entries(entry.table(), entry.recordId());
        ColumnMerge.Merged merged = byColumn ? ColumnMerge.merge(all) : ColumnMerge.latest(all);
        if (merged == null) {
            return; // nothing readable to merge: the row stays
        }
        VersionVector vector = rows.state(entry.table(), entry.recordId()).map(RowState::vector)
                .orElse(VersionVector.EMPTY).merge(entry.vector());
        ChangeEntry top = merged.top();
        rows.write(new RowState(entry.table(), entry.recordId(), vector, top.origin(), top.version(), top.hlc(),
                merged.deleted(), byColumn ? merged.columnClocksJson() : null, null), merged.data());
    }

    private void closeCoveredBy(ChangeEntry resolution, String why) {
        for (Conflict c : conflicts.pendingFor(resolution.table(), resolution.recordId())) {
            if (resolution.base().dominates(c.covering())) {
                conflicts.close(c.id(), ConflictStatus.RESOLVED, why, clock.instant());
                log.info("conflict {} on {}/{} {}", c.id(), c.table(), c.recordId(), why);
            }
        }
    }

    private Kind kindOf(RowState row) {
        if (row.version() < 1) {
            return Kind.EDIT;
        }
        return tracker.find(new EntryRef(row.origin(), row.version())).map(ChangeEntry::kind).orElse(Kind.EDIT);
    }

    /** A hand-written row made whole: known columns only, the conflict's key, missing columns filled in. */
    private String completeRow(Conflict c, String row) {
        Map<String, Object> given;
        try {
            given = SqlValues.decodeRow(row);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("not JSON") ? "data is " + e.getMessage()
                    : "data must be a JSON object of column to value");
        }
        List<String> columns = tables.columns(c.table());
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + c.table() + " is not tracked on this device");
        }
        for (String name : given.keySet()) {
            if (!columns.contains(name)) {
                throw new IllegalArgumentException("table " + c.table() + " has no column " + name);
            }
        }
        Map<String, Object> keys = keyValues(c);
        keys.forEach((k, v) -> {
            if (given.containsKey(k) && !sameValue(given.get(k), v)) {
                throw new IllegalArgumentException("data names another row: " + k + " must be " + v);
            }
        });
        Map<String, Object> fill = c.local().data() != null ? SqlValues.decodeRow(c.local().data())
                : c.remote().data() != null ? SqlValues.decodeRow(c.remote().data()) : Map.of();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String column : columns) {
            out.put(column, given.containsKey(column) ? given.get(column)
                    : keys.containsKey(column) ? keys.get(column) : fill.get(column));
        }
        return SqlValues.encodeRow(out);
    }

    private Map<String, Object> keyValues(Conflict c) {
        List<String> key = tables.primaryKey(c.table());
        Map<String, Object> out = new LinkedHashMap<>();
        String source = c.local().data() != null ? c.local().data() : c.remote().data();
        if (source != null) {
            Map<String, Object> row = SqlValues.decodeRow(source);
            key.forEach(k -> out.put(k, row.get(k)));
        } else {
            List<Object> values = SqlValues.decodeKey(c.recordId());
            for (int i = 0; i < key.size() && i < values.size(); i++) {
                out.put(key.get(i), values.get(i));
            }
        }
        return out;
    }

    /** The same value, or the same text (a person may write 5 for a key stored as '5', or the reverse). */
    private static boolean sameValue(Object a, Object b) {
        return SqlValues.same(a, b) || a != null && b != null && !(a instanceof byte[]) && !(b instanceof byte[])
                && String.valueOf(a).equals(String.valueOf(b));
    }
}
