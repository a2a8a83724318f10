package io.p2psync.changes;

import io.p2psync.changes.ApplyOutcome.Result;
import io.p2psync.identity.HybridLogicalClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies entries that came from other devices, in one transaction per batch, without capturing them
 * again: the apply guard is set for the duration and reset before commit.
 *
 * <p>Per entry, in the order given: a duplicate (same origin, version and hash) changes nothing; otherwise
 * it must be the next version of its origin, hash, chain and signature must hold, and its table must be
 * tracked here, or it is rejected together with every later entry of that origin in the batch (other
 * origins go on). An accepted entry is stored unchanged in {@code sync_log} (so it is relayed) and then
 * decided against the row's version with {@link VersionVector#compare}:
 * <ul>
 *   <li>its base covers the row's vector: the row takes its value ({@code APPLIED});</li>
 *   <li>the row has already seen it: the row stays ({@code IGNORED_OLDER});</li>
 *   <li>otherwise the edits were concurrent and the {@link ConcurrentEditPolicy} decides ({@code CONFLICT}).</li>
 * </ul>
 */
@Component
public class RemoteChangeApplier {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ChangeSealer sealer;
    private final ChangeLog log;
    private final RowStates rows;
    private final RowWriter writer;
    private final TrackedTables tables;
    private final HybridLogicalClock clock;
    private final ObjectProvider<ConcurrentEditPolicy> policy;
    private final ObjectProvider<AppliedEntryListener> listeners;
    private final RowAccess access = new Access();

    RemoteChangeApplier(JdbcClient jdbc, TransactionTemplate tx, ChangeSealer sealer, ChangeLog log, RowStates rows,
            RowWriter writer, TrackedTables tables, HybridLogicalClock clock, ObjectProvider<ConcurrentEditPolicy> policy,
            ObjectProvider<AppliedEntryListener> listeners) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.sealer = sealer;
        this.log = log;
        this.rows = rows;
        this.writer = writer;
        this.tables = tables;
        this.clock = clock;
        this.policy = policy;
        this.listeners = listeners;
    }

    /**
     * Applies a batch.
     *
     * @param entries      entries in per-origin version order
     * @param receivedFrom device id of the device that delivered them (stored as {@code received_from})
     * @return one outcome per entry, in the same order
     */
    public List<ApplyOutcome> apply(List<ChangeEntry> entries, String receivedFrom) {
        Checks checks = Checks.of(entries);
        return tx.execute(status -> {
            sealer.sealPending(); // local captures first, so they get versions and bases before remote writes
            setGuard(1);
            try {
                return new Batch(receivedFrom, checks).applyAll(entries);
            } finally {
                setGuard(0);
            }
        });
    }

    /**
     * Writes a row made here without a trigger (a conflict resolution, say) and logs it as this device's
     * change with the current row vector as base, in one transaction: nothing is captured twice.
     *
     * @return the sealed entry
     * @throws IllegalArgumentException if the table is not tracked or the data does not fit it
     */
    public ChangeEntry writeLocal(RowChange change) {
        TrackedTable table = tables.get(change.table());
        if (table == null) {
            throw new IllegalArgumentException("table " + change.table() + " is not tracked on this device");
        }
        return tx.execute(status -> {
            sealer.sealPending();
            setGuard(1);
            try {
                if (change.operation() == Operation.DELETE) {
                    writer.delete(table, change.recordId());
                } else {
                    writer.upsert(table, change.data());
                }
                return sealer.seal(change);
            } finally {
                setGuard(0);
            }
        });
    }

    /** Row access for listeners; only valid inside {@link #apply}. */
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
        public void write(RowState state, String data) {
            TrackedTable table = tracked(state.table());
            if (data == null) {
                writer.delete(table, state.recordId());
            } else {
                writer.upsert(table, data);
            }
            rows.save(state);
        }

        @Override
        public List<ChangeEntry> entries(String table, String recordId) {
            return log.entriesFor(table, recordId);
        }

        private TrackedTable tracked(String name) {
            TrackedTable table = tables.get(name);
            if (table == null) {
                throw new IllegalArgumentException("table " + name + " is not tracked on this device");
            }
            return table;
        }
    }

    private void setGuard(int applying) {
        jdbc.sql("UPDATE sync_apply_guard SET applying = ? WHERE id = 1").param(applying).update();
    }

    /**
     * Hash and signature checks of a batch, run before its transaction and in parallel: an Ed25519
     * verification is most of the cost of applying an entry, needs no database, and keeping it out of the
     * transaction keeps the write lock short. (Entries that turn out to be duplicates are checked too.)
     */
    private record Checks(boolean[] hashOk, boolean[] signatureOk) {
        /** Below this many entries the fork-join hand-off costs more than it saves. */
        private static final int PARALLEL_FROM = 32;

        static Checks of(List<ChangeEntry> entries) {
            int n = entries.size();
            boolean[] hash = new boolean[n];
            boolean[] signature = new boolean[n];
            java.util.stream.IntStream range = java.util.stream.IntStream.range(0, n);
            (n >= PARALLEL_FROM ? range.parallel() : range).forEach(i -> {
                ChangeEntry e = entries.get(i);
                hash[i] = e.hashValid();
                signature[i] = hash[i] && e.signatureValid();
            });
            return new Checks(hash, signature);
        }
    }

    /** The state of one batch: the head of each origin seen so far and the origins stopped. */
    private final class Batch {
        private final String receivedFrom;
        private final Checks checks;
        private final long receivedAt = System.currentTimeMillis();
        private final Map<String, ChangeLog.Head> heads = new HashMap<>();
        private final Map<String, String> stopped = new HashMap<>();
        private final ConcurrentEditPolicy decider = policy.getIfAvailable(() -> ConcurrentEditPolicy.LATEST_WINS);
        private final List<AppliedEntryListener> hooks = listeners.orderedStream().toList();

        Batch(String receivedFrom, Checks checks) {
            this.receivedFrom = receivedFrom;
            this.checks = checks;
        }

        List<ApplyOutcome> applyAll(List<ChangeEntry> entries) {
            List<ApplyOutcome> outcomes = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                outcomes.add(applyOne(entries.get(i), i));
            }
            return outcomes;
        }

        private ApplyOutcome applyOne(ChangeEntry e, int index) {
            EntryRef ref = EntryRef.of(e);
            if (stopped.containsKey(e.origin())) {
                return new ApplyOutcome(ref, Result.REJECTED, "an earlier entry of this origin was rejected: "
                        + stopped.get(e.origin()));
            }
            var stored = log.hashOf(e.origin(), e.version());
            if (stored.isPresent()) {
                return stored.get().equals(e.hash()) ? new ApplyOutcome(ref, Result.DUPLICATE, null)
                        : reject(e, "differs from the stored entry with the same origin and version");
            }
            ChangeLog.Head head = heads.computeIfAbsent(e.origin(), log::head);
            if (e.version() != head.version() + 1) {
                return reject(e, "out of order: expected version " + (head.version() + 1));
            }
            if (!checks.hashOk()[index]) {
                return reject(e, "hash does not match the content");
            }
            if (!Objects.equals(e.prevHash(), head.hash())) {
                return reject(e, "prevHash does not match the hash of version " + head.version());
            }
            if (!checks.signatureOk()[index]) {
                return reject(e, "signature does not verify against the origin's key");
            }
            TrackedTable table = tables.get(e.table());
            if (table == null) {
                return reject(e, "table " + e.table() + " is not tracked on this device");
            }
            ApplyOutcome outcome;
            try {
                outcome = decide(e, table);
            } catch (IllegalArgumentException | DataAccessException bad) {
                // SQLite undoes just the failed statement; nothing of this entry was written before it.
                return reject(e, "cannot write the row: " + bad.getMessage());
            }
            log.append(List.of(e), receivedFrom, receivedAt);
            heads.put(e.origin(), new ChangeLog.Head(e.version(), e.hash()));
            clock.observe(e.hlc());
            hooks.forEach(l -> l.stored(e, outcome.result(), access));
            return outcome;
        }

        private ApplyOutcome decide(ChangeEntry e, TrackedTable table) {
            RowState current = rows.find(e.table(), e.recordId()).orElse(null);
            VersionVector seen = current == null ? VersionVector.EMPTY : current.vector();
            EntryRef ref = EntryRef.of(e);
            if (e.base().dominates(seen)) {
                write(e, table);
                rows.save(RowState.writtenBy(e, seen));
                return new ApplyOutcome(ref, Result.APPLIED, null);
            }
            if (seen.dominates(e.vector())) {
                return new ApplyOutcome(ref, Result.IGNORED_OLDER, null);
            }
            String localData = writer.read(table, e.recordId()).orElse(null);
            ConcurrentEditPolicy.Decision decision = decider.decide(e, current, localData);
            if (decision == ConcurrentEditPolicy.Decision.TAKE_REMOTE) {
                write(e, table);
                rows.save(RowState.writtenBy(e, seen));
            } else {
                rows.save(current.overruling(e));
            }
            return new ApplyOutcome(ref, Result.CONFLICT, decision.name());
        }

        private void write(ChangeEntry e, TrackedTable table) {
            if (e.operation() == Operation.DELETE) {
                writer.delete(table, e.recordId());
            } else {
                writer.upsert(table, e.data());
            }
        }

        private ApplyOutcome reject(ChangeEntry e, String reason) {
            stopped.put(e.origin(), reason);
            return new ApplyOutcome(EntryRef.of(e), Result.REJECTED, reason);
        }
    }
}
