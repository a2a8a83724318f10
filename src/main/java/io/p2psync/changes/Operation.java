package io.p2psync.changes;

/** What a change did to a row; stored in {@code sync_log.operation} under these names. */
public enum Operation {
    INSERT,
    UPDATE,
    DELETE
}
