package io.p2psync.changes;

import java.util.Map;

/**
 * Decides a concurrent edit: an incoming entry whose base does not cover the row's current version, and
 * that the row has not already seen. Whichever side wins, the row's vector becomes the merge of both, so
 * the same two edits give the same row on every device as long as the decision depends only on the entries
 * (not on which arrived first).
 *
 * <p>Called inside the entry's savepoint with the apply guard set. The decision is returned, with what to
 * do after the row was written ({@link Settled#then}: record the conflict, log a resolution, recompute the
 * row); the applier runs it in the same savepoint, so a conflict is recorded only when the write it
 * describes commits. Define a bean of this type to replace {@link #LATEST_WINS}.
 */
@FunctionalInterface
public interface ConcurrentEditPolicy {

    /** What the row does with the incoming entry. */
    enum Decision implements ApplyOutcome.Reason {
        /** The row keeps its value; its vector takes in the entry's. */
        KEEP_LOCAL,
        /** The row takes the entry's value. */
        TAKE_REMOTE,
        /** The policy writes the row itself in {@link Settled#then} (a column merge, an earlier entry's value). */
        RECOMPUTE,
        /** Both sides hold the same row: nothing to settle, the vectors merge, no conflict is recorded. */
        SAME_ROW
    }

    /** Run after the row was written as decided, inside the same savepoint. */
    @FunctionalInterface
    interface FollowUp {
        FollowUp NONE = rows -> { };

        void run(RowAccess rows);

        /** This, then {@code next}. */
        default FollowUp andThen(FollowUp next) {
            return rows -> {
                run(rows);
                next.run(rows);
            };
        }
    }

    /**
     * A decision and what follows from it.
     *
     * @param decision what the row does
     * @param then     what to do once the row is written; {@link FollowUp#NONE} for nothing
     */
    record Settled(Decision decision, FollowUp then) {
        public Settled {
            if (decision == null) {
                throw new IllegalArgumentException("decision is required");
            }
            then = then == null ? FollowUp.NONE : then;
        }

        public static Settled just(Decision decision) {
            return new Settled(decision, FollowUp.NONE);
        }
    }

    /**
     * @param remote   the incoming entry
     * @param local    the row's current state
     * @param localRow the row as it is now (column to value, see {@link SqlValues}), or null if it does not
     *                 exist (deleted or never written here)
     * @param rows     the row's entries and state, for rules that look at more than the two sides
     */
    Settled decide(ChangeEntry remote, RowState local, Map<String, Object> localRow, RowAccess rows);

    /**
     * Two devices inserted different rows under the same SQLite-assigned key (a rowid table tracked by
     * opt-in): never settled by a policy. The default keeps the local row; the conflict package records a
     * pending conflict that keeps the remote row for a person.
     */
    default Settled collided(ChangeEntry remote, RowState local, Map<String, Object> localRow, RowAccess rows) {
        return Settled.just(Decision.KEEP_LOCAL);
    }

    /**
     * The entry could not be written because another row here holds the same value in a UNIQUE column; the
     * entry is held. Called in the apply transaction, outside the entry's rolled-back savepoint, so what it
     * records commits with the hold. Called again on every retry that clashes.
     *
     * @param localRecordId the clashing row's record id
     * @param localRow      the clashing row
     */
    default void clashed(ChangeEntry remote, String localRecordId, Map<String, Object> localRow, RowAccess rows) {
    }

    /**
     * After a batch part was applied, a row it wrote (or a row pointing at a row it deleted) points at a parent
     * row that is not there: one device deleted the parent while another added or changed a child. Called in
     * the apply transaction after the part's entries, so what it records commits with them.
     *
     * @param table       the child's table
     * @param recordId    the child's record id
     * @param child       the child row
     * @param parentTable the table of the missing parent
     */
    default void orphaned(String table, String recordId, Map<String, Object> child,
            String parentTable, RowAccess rows) {
    }

    /**
     * An entry arrived that the row had already counted as seen, so nothing is settled and no conflict is
     * recorded, but its values were never written here: an entry made on top of it came first (by another
     * page, by gossip or by relay), or it is an identical copy of a row ({@link Twins}) the row had seen by way
     * of another copy, and an entry made on top of that copy now replaces every copy. A policy that computes
     * the row from its entries computes it again here; the default leaves the row as it is.
     *
     * @param late the incoming entry
     * @return what to do, run in the entry's savepoint
     */
    default FollowUp arrivedLate(ChangeEntry late, RowAccess rows) {
        return FollowUp.NONE;
    }

    /** The later hybrid clock timestamp wins; equal timestamps go to the greater origin id. */
    ConcurrentEditPolicy LATEST_WINS = (remote, local, localRow, rows) -> {
        int byClock = Long.compare(remote.hlc(), local.hlc());
        int order = byClock != 0 ? byClock : remote.origin().compareTo(local.origin());
        return Settled.just(order > 0 ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL);
    };
}
