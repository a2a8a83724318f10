package io.p2psync.changes;

/**
 * Told about every entry {@link RemoteChangeApplier} stored (not duplicates, not rejected), after the row was
 * decided, the entry appended to the log and the clock advanced past it; still inside the apply transaction
 * with the apply guard set. A listener may rewrite the row through {@code rows} and log new local changes
 * with {@link ChangeTracker#log}; all of it commits or rolls back with the batch. Conflict handling uses this
 * to write resolutions and to recompute column-merged rows.
 */
@FunctionalInterface
public interface AppliedEntryListener {

    void stored(ChangeEntry entry, ApplyOutcome.Result result, RowAccess rows);

    /**
     * A held entry was applied on a retry ({@link RemoteChangeApplier#retryHeld}); {@link #stored} was
     * called for it just before, in the same savepoint. Called after the savepoint was released.
     */
    default void released(ChangeEntry entry, ApplyOutcome.Result result, RowAccess rows) {
    }
}
