package io.p2psync.changes;

/**
 * Told about every entry {@link RemoteChangeApplier} put on its row (not duplicates, not rejected, not while
 * held: a held entry is told when a retry applies it), after the row was decided and written, the entry
 * appended to the log and the clock advanced past it; inside the entry's savepoint with the apply guard set,
 * so whatever it writes is undone with the entry if the entry cannot be applied. A listener may rewrite the
 * row through {@code rows} and log new local changes with {@link ChangeTracker#log}. Conflict handling uses
 * this to close conflicts an incoming resolution covers.
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

    /**
     * A held entry was let go without being applied because {@code by}, a later entry of the same row made on
     * top of it, replaces it (its origin deleted or changed the row before the held entry could apply here).
     * Whatever waited on the held entry waits on {@code by} now, if on anything. Called in the transaction
     * that let it go.
     */
    default void replaced(ChangeEntry held, ChangeEntry by, RowAccess rows) {
    }
}
