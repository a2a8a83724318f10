package io.p2psync.changes;

/**
 * What happened to one incoming entry.
 *
 * @param entry  which entry
 * @param result what was done with it
 * @param reason why it was rejected, or a short note; null when there is nothing to say
 */
public record ApplyOutcome(EntryRef entry, Result result, String reason) {

    public enum Result {
        /** Stored, and the row now holds its value. */
        APPLIED,
        /** Already in the log with the same hash: nothing changed. */
        DUPLICATE,
        /** Stored for relaying, but the row had already seen something newer: row unchanged. */
        IGNORED_OLDER,
        /** Stored; it was concurrent with the row's version and the policy decided (see reason). */
        CONFLICT,
        /** Not stored; nothing after it from the same origin in the batch is applied either. */
        REJECTED
    }

    /** True if the entry is now in the log (including duplicates). */
    public boolean accepted() {
        return result != Result.REJECTED;
    }
}
