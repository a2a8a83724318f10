package io.p2psync.changes;

import io.p2psync.changes.ApplyOutcome.Result;
import io.p2psync.identity.HybridLogicalClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    RemoteChangeApplier(JdbcClient jdbc, TransactionTemplate tx, ChangeSealer sealer, ChangeLog log, RowStates rows,
            RowWriter writer, TrackedTables tables, HybridLogicalClock clock, ObjectProvider<ConcurrentEditPolicy> policy) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.sealer = sealer;
        this.log = log;
        this.rows = rows;
        this.writer = writer;
        this.tables = tables;
        this.clock = clock;
        this.policy = policy;
    }

    /**
     * Applies a batch.
     *
     * @param entries      entries in per-origin version order
     * @param receivedFrom device id of the device that delivered them (stored as {@code received_from})
     * @return one outcome per entry, in the same order
     */
    public List<ApplyOutcome> apply(List<ChangeEntry> entries, String receivedFrom) {
        return tx.execute(status -> {
            sealer.sealPending(); // local captures first, so they get versions and bases before remote writes
            setGuard(1);
            try {
                return new Batch(receivedFrom).applyAll(entries);
            } finally {
                setGuard(0);
            }
        });
    }

    private void setGuard(int applying) {
        jdbc.sql("UPDATE sync_apply_guard SET applying = ? WHERE id = 1").param(applying).update();
    }

    /** The state of one batch: the head of each origin seen so far and the origins stopped. */
    private final class Batch {
        private final String receivedFrom;
        private final long receivedAt = System.currentTimeMillis();
        private final Map<String, ChangeLog.Head> heads = new HashMap<>();
        private final Map<String, String> stopped = new HashMap<>();
        private final ConcurrentEditPolicy decider = policy.getIfAvailable(() -> ConcurrentEditPolicy.LATEST_WINS);

        Batch(String receivedFrom) {
            this.receivedFrom = receivedFrom;
        }

        List<ApplyOutcome> applyAll(List<ChangeEntry> entries) {
            List<ApplyOutcome> outcomes = new ArrayList<>(entries.size());
            for (ChangeEntry e : entries) {
                outcomes.add(applyOne(e));
            }
            return outcomes;
        }

        private ApplyOutcome applyOne(ChangeEntry e) {
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
            if (!e.hashValid()) {
                return reject(e, "hash does not match the content");
            }
            if (!Objects.equals(e.prevHash(), head.hash())) {
                return reject(e, "prevHash does not match the hash of version " + head.version());
            }
            if (!e.signatureValid()) {
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
