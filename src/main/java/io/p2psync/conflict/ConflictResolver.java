package io.p2psync.conflict;

import io.p2psync.changes.AppliedEntryListener;
import io.p2psync.changes.ApplyOutcome;
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
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records and settles conflicts. The applier calls {@link #decide} for an incoming entry that is concurrent
 * with the row (and writes the row as told), then {@link #stored} for every entry it stored. Here:
 * <ul>
 *   <li>each concurrent entry becomes one {@code sync_conflicts} row with both sides, and one log line;</li>
 *   <li>{@code timestamp}, {@code manual}: the decision is all; {@code local}/{@code remote}: after the entry
 *       is stored, a RESOLUTION entry with the chosen row is logged, its base the merge of both sides;</li>
 *   <li>{@code merge}: every entry of the table, concurrent or not, recomputes the row from all entries held
 *       for it ({@link ColumnMerge});</li>
 *   <li>an incoming RESOLUTION whose base covers a pending conflict here closes it.</li>
 * </ul>
 * A person resolves or ignores pending conflicts with {@link #resolve}, {@link #resolveWith} and
 * {@link #ignore}; a resolution is written and logged as a RESOLUTION entry of this device.
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
    /** Verdicts that write a resolution once their entry is stored; filled by decide, drained by stored. */
    private final Map<EntryRef, Verdict> awaitingResolution = new ConcurrentHashMap<>();

    public ConflictResolver(ConflictSettings settings, ConflictRepository conflicts, ChangeTracker tracker,
            RemoteChangeApplier applier, TrackedTables tables, TransactionTemplate tx) {
        this.settings = settings;
        this.conflicts = conflicts;
        this.tracker = tracker;
        this.applier = applier;
        this.tables = tables;
        this.tx = tx;
        this.clock = Clock.tick(Clock.systemUTC(), java.time.Duration.ofMillis(1)); // ISO times to the millisecond
    }

    @Override
    public Decision decide(ChangeEntry remote, RowState local, String localData) {
        ConflictPolicy policy = settings.policyFor(remote.table());
        WriteClock localClock = new WriteClock(local.hlc(), local.origin());
        if (sameRow(localData, remote.data())) {
            // Both sides wrote the same row (or both deleted it): nothing to settle or to ask a person. The row
            // names the later write, as under timestamp, so every device ends with the same state.
            return WriteClock.of(remote).isAfter(localClock) ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL;
        }
        Verdict verdict = Settlement.settle(policy, localClock, kindOf(local), remote);
        Instant now = clock.instant();
        Conflict conflict = conflicts.insert(new Conflict(0, remote.table(), remote.recordId(), verdict.status(), policy,
                new Conflict.Side(localData, local.vector(), local.origin(), local.hlc(),
                        local.origin() + "#" + local.version()),
                new Conflict.Side(remote.data(), remote.vector(), remote.origin(), remote.hlc(), EntryRef.of(remote).toString()),
                verdict.resolution(), now, verdict.status() == ConflictStatus.PENDING ? null : now));
        log.info("conflict {} on {}/{}: local {} vs remote {} ({}), policy {}: {}", conflict.id(), remote.table(),
                remote.recordId(), conflict.local().entry(), conflict.remote().entry(), remote.operation(),
                policy.name().toLowerCase(java.util.Locale.ROOT),
                verdict.status() == ConflictStatus.PENDING ? "pending" : verdict.resolution());
        if (verdict.writesResolution()) {
            awaitingResolution.put(EntryRef.of(remote), verdict);
        }
        return verdict.outcome() == Outcome.TAKE_REMOTE ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL;
    }

    @Override
    public void stored(ChangeEntry entry, ApplyOutcome.Result result, RowAccess rows) {
        Verdict verdict = awaitingResolution.remove(EntryRef.of(entry));
        if (result != ApplyOutcome.Result.CONFLICT) {
            verdict = null; // left over from a batch that rolled back after decide; this arrival is not a conflict
        }
        if (settings.policyFor(entry.table()) == ConflictPolicy.MERGE) {
            remerge(entry, rows);
        }
        if (verdict != null) {
            writeResolution(entry, verdict, rows);
        }
        if (entry.kind() == Kind.RESOLUTION) {
            closeCoveredBy(entry, "resolved on device " + entry.origin() + " by " + EntryRef.of(entry));
        }
    }

    /**
     * Resolves a pending conflict with one of its sides.
     *
     * @throws ConflictNotFoundException   if there is no such conflict
     * @throws ConflictNotPendingException if it is resolved or ignored already
     */
    public Conflict resolve(long id, ResolutionStrategy strategy) {
        return tx.execute(status -> {
            Conflict c = pending(id);
            Conflict.Side side = switch (strategy) {
                case LOCAL -> c.local();
                case REMOTE -> c.remote();
                case TIMESTAMP -> c.remote().clock().isAfter(c.local().clock()) ? c.remote() : c.local();
            };
            return settleByHand(c, side.data(), "manual: " + strategy.name().toLowerCase(java.util.Locale.ROOT));
        });
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
     */
    public Conflict resolveWith(long id, String row) {
        try {
            return tx.execute(status -> {
                Conflict c = pending(id);
                return settleByHand(c, completeRow(c, row), "manual: data");
            });
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
            return conflicts.findById(id).orElseThrow();
        });
    }

    private Conflict pending(long id) {
        Conflict c = conflicts.findById(id).orElseThrow(() -> new ConflictNotFoundException(id));
        if (!c.pending()) {
            throw new ConflictNotPendingException(c);
        }
        return c;
    }

    private Conflict settleByHand(Conflict c, String data, String resolution) {
        Operation op = data == null ? Operation.DELETE : Operation.UPDATE;
        ChangeEntry entry = applier.writeLocal(new RowChange(c.table(), c.recordId(), op, Kind.RESOLUTION, data, null));
        conflicts.close(c.id(), ConflictStatus.RESOLVED, resolution + " (" + EntryRef.of(entry) + ")", clock.instant());
        log.info("conflict {} on {}/{} resolved by hand: {}, logged as {}", c.id(), c.table(), c.recordId(), resolution,
                EntryRef.of(entry));
        closeCoveredBy(entry, "resolved here by " + EntryRef.of(entry));
        return conflicts.findById(c.id()).orElseThrow();
    }

    /** After a conflict under local/remote: log the chosen row as a resolution whose base covers both sides. */
    private void writeResolution(ChangeEntry entry, Verdict verdict, RowAccess rows) {
        String data = verdict.outcome() == Outcome.TAKE_REMOTE ? entry.data()
                : rows.read(entry.table(), entry.recordId()).orElse(null);
        Operation op = data == null ? Operation.DELETE : Operation.UPDATE;
        ChangeEntry resolution = tracker.log(new RowChange(entry.table(), entry.recordId(), op, Kind.RESOLUTION, data, null));
        log.debug("logged resolution {} for {}/{}", EntryRef.of(resolution), entry.table(), entry.recordId());
    }

    /** Under merge: the row becomes the column merge of every entry held for it; its vector the merge of all. */
    private void remerge(ChangeEntry entry, RowAccess rows) {
        ColumnMerge.Merged merged = ColumnMerge.merge(rows.entries(entry.table(), entry.recordId()));
        if (merged == null) {
            return; // nothing readable to merge: the applier's decision stands
        }
        VersionVector vector = rows.state(entry.table(), entry.recordId()).map(RowState::vector)
                .orElse(VersionVector.EMPTY).merge(entry.vector());
        ChangeEntry top = merged.top();
        rows.write(new RowState(entry.table(), entry.recordId(), vector, top.origin(), top.version(), top.hlc(),
                merged.deleted(), merged.columnClocksJson(), null), merged.data());
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
        JsonNode given;
        try {
            given = JSON.readTree(row);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("data is not JSON: " + e.getOriginalMessage());
        }
        if (!(given instanceof ObjectNode object)) {
            throw new IllegalArgumentException("data must be a JSON object of column to value");
        }
        List<String> columns = tables.columns(c.table());
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + c.table() + " is not tracked on this device");
        }
        for (String name : object.propertyNames()) {
            if (!columns.contains(name)) {
                throw new IllegalArgumentException("table " + c.table() + " has no column " + name);
            }
        }
        Map<String, JsonNode> keys = keyValues(c);
        keys.forEach((k, v) -> {
            if (object.has(k) && !sameValue(object.get(k), v)) {
                throw new IllegalArgumentException("data names another row: " + k + " must be " + v);
            }
        });
        JsonNode fill = c.local().data() != null ? JSON.readTree(c.local().data())
                : c.remote().data() != null ? JSON.readTree(c.remote().data()) : JSON.createObjectNode();
        ObjectNode out = JSON.createObjectNode();
        for (String column : columns) {
            JsonNode v = object.has(column) ? object.get(column) : keys.containsKey(column) ? keys.get(column) : fill.get(column);
            out.set(column, v == null ? JSON.nullNode() : v);
        }
        return JSON.writeValueAsString(out);
    }

    private Map<String, JsonNode> keyValues(Conflict c) {
        List<String> key = tables.primaryKey(c.table());
        Map<String, JsonNode> out = new LinkedHashMap<>();
        String source = c.local().data() != null ? c.local().data() : c.remote().data();
        if (source != null) {
            JsonNode row = JSON.readTree(source);
            key.forEach(k -> out.put(k, row.get(k)));
        } else {
            // the record id is the key's values (SqlValues.encodeKey); each in the row form of its storage class
            List<Object> values = SqlValues.decodeKey(c.recordId());
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < key.size() && i < values.size(); i++) {
                row.put(key.get(i), values.get(i));
            }
            JSON.readTree(SqlValues.encodeRow(row)).properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static boolean sameRow(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (JacksonException notJson) {
            return false;
        }
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        return a.equals(b) || a.isValueNode() && b.isValueNode() && a.asString().equals(b.asString());
    }
}
