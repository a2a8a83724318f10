package io.p2psync.changes;

/**
 * What happened to one incoming entry.
 *
 * @param entry  which entry
 * @param result what was done with it
 * @param reason why, as a type: a {@link RejectReason} for {@code REJECTED}, a {@link HoldReason} for
 *               {@code HELD}, a {@link ConcurrentEditPolicy.Decision} for {@code CONFLICT}; null otherwise
 * @param detail for people (logs, API); never parsed. Null when there is nothing to add
 */
public record ApplyOutcome(EntryRef entry, Result result, Reason reason, String detail) {

    /** A typed reason; see {@link #reason()}. */
    public sealed interface Reason permits RejectReason, HoldReason, ConcurrentEditPolicy.Decision {
    }

    public enum Result {
        /** Stored, and the row now holds its value. */
        APPLIED,
        /** Already in the log with the same hash: nothing changed. */
        DUPLICATE,
        /** Stored for relaying, but the row had already seen something newer: row unchanged. */
        IGNORED_OLDER,
        /** Stored; it was concurrent with the row's version and the policy decided (see reason). */
        CONFLICT,
        /**
         * Stored (so relayed, and the origin's later entries go on), but not applied to its row yet; see the
         * {@link HoldReason}. Later entries of the same row wait behind it.
         */
        HELD,
        /**
         * Not put on its row yet: its group continues, and the group is put on its rows in one transaction once
         * its last entry arrives. Until then it is kept, outside the log if no signed group end of its delivery
         * covered it (docs/storage.md, "Group signatures"): the sender need not send it again.
         */
        STAGED,
        /** Not stored; it did not verify. Nothing after it from the same origin in the batch is applied. */
        REJECTED
    }

    public ApplyOutcome {
        if (entry == null || result == null) {
            throw new IllegalArgumentException("entry and result are required");
        }
        boolean fits = switch (result) {
            case REJECTED -> reason instanceof RejectReason;
            case HELD -> reason instanceof HoldReason;
            case CONFLICT -> reason instanceof ConcurrentEditPolicy.Decision;
            default -> reason == null;
        };
        if (!fits) {
            throw new IllegalArgumentException(result + " does not go with reason " + reason);
        }
    }

    static ApplyOutcome of(EntryRef entry, Result result) {
        return new ApplyOutcome(entry, result, null, null);
    }

    /**
     * True if the sender need not send the entry again: it is in the log (including duplicates and held
     * entries) or kept until its group's end (staged).
     */
    public boolean accepted() {
        return result != Result.REJECTED;
    }
}
