package io.p2psync.conflict;

/**
 * How a table settles a conflict; set per table with {@code p2psync.conflicts.policy.<table>=merge}.
 * See docs/conflicts.md for examples.
 */
public enum ConflictPolicy {
    /** The later hybrid-clock timestamp wins, device id breaks ties. No new entry. */
    TIMESTAMP,
    /** This device's row wins; a RESOLUTION entry carries it to every other device. */
    LOCAL,
    /** The incoming row wins; a RESOLUTION entry carries it to every other device. */
    REMOTE,
    /**
     * Column by column: each column takes the value of the latest write that changed it, so columns
     * changed on one side only are kept from that side and columns changed on both fall back to the
     * timestamp. Whether the row exists at all is decided by the latest write of any kind. No new entry.
     */
    MERGE,
    /** The row keeps its local value and the conflict waits as pending until a person resolves it. */
    MANUAL
}
