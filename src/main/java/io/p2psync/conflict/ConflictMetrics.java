package io.p2psync.conflict;

import io.micrometer.core.instrument.Counter;
import io.p2psync.changes.ConcurrentEditPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@code p2psync.conflicts}: conflicts settled, tagged {@code policy} (the table's policy, or {@code manual}
 * for a person's settlement) and {@code outcome} ({@code keep-local}, {@code take-remote}, {@code merge},
 * {@code pending} for one left to a person, {@code resolved} and {@code ignored} for a person's settlement).
 * A conflict is counted once the transaction that records it commits, so a rolled-back apply counts nothing.
 */
final class ConflictMetrics {

    static final String SETTLED = "p2psync.conflicts";

    private final MeterRegistry registry;

    ConflictMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A conflict the policy settled (or left pending) inside the current transaction, if any.
     *
     * @param decision what the row did: kept its value, took the remote one, or was recomputed (a merge)
     */
    void settled(ConflictPolicy policy, ConflictStatus status, ConcurrentEditPolicy.Decision decision) {
        String outcome = status == ConflictStatus.PENDING ? "pending"
                : decision == ConcurrentEditPolicy.Decision.RECOMPUTE ? "merge"
                : decision.name().toLowerCase(Locale.ROOT).replace('_', '-');
        afterCommit(policy.name().toLowerCase(Locale.ROOT), outcome);
    }

    /** A person settled a pending conflict ({@link ConflictStatus#RESOLVED} or {@link ConflictStatus#IGNORED}). */
    void settledByHand(ConflictStatus status) {
        afterCommit("manual", status.dbValue());
    }

    private void afterCommit(String policy, String outcome) {
        Counter counter = Counter.builder(SETTLED).tag("policy", policy).tag("outcome", outcome)
                .description("conflicts settled, by policy and outcome").register(registry);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    counter.increment();
                }
            });
        } else {
            counter.increment();
        }
    }
}
