package io.p2psync.changes;

/** Why an entry exists; stored in {@code sync_log.kind}. */
public enum Kind {
    /** An edit of a row, captured from a tracked table. */
    EDIT,
    /** The settlement of a conflict, whose base covers both conflicting sides (issue 4). */
    RESOLUTION
}
