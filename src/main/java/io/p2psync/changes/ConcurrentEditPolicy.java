package io.p2psync.changes;

/**
 * Decides a concurrent edit: an incoming entry whose base does not cover the row's current version, and
 * that the row has not already seen. Whichever side wins, the row's vector becomes the merge of both, so
 * the same two edits give the same row on every device as long as the decision depends only on the two
 * sides (not on which arrived first).
 *
 * <p>Called inside the apply transaction with the apply guard set: writes made here to tracked tables are
 * not captured, and writes to other tables (say {@code sync_conflicts}) commit or roll back with the batch.
 * Define a bean of this type to replace {@link #LATEST_WINS}.
 */
@FunctionalInterface
public interface ConcurrentEditPolicy {

    /** Which value the row keeps. */
    enum Decision {
        KEEP_LOCAL,
        TAKE_REMOTE
    }

    /**
     * @param remote    the incoming entry
     * @param local     the row's current state
     * @param localData the row as JSON now, or null if the row does not exist (deleted or never written here)
     */
    Decision decide(ChangeEntry remote, RowState local, String localData);

    /** The later hybrid clock timestamp wins; equal timestamps go to the greater origin id. */
    ConcurrentEditPolicy LATEST_WINS = (remote, local, localData) -> {
        int byClock = Long.compare(remote.hlc(), local.hlc());
        int order = byClock != 0 ? byClock : remote.origin().compareTo(local.origin());
        return order > 0 ? Decision.TAKE_REMOTE : Decision.KEEP_LOCAL;
    };
}
