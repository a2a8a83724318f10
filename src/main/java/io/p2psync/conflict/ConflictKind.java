package io.p2psync.conflict;

import java.util.Locale;

/** What a conflict is about; stored lowercase and dashed in {@code sync_conflicts.kind}. */
public enum ConflictKind {
    /** Two edits of one row made without seeing each other; settled by the table's policy. */
    EDIT,
    /**
     * The incoming row has the same value in a UNIQUE column as another row here, under another key. The
     * incoming entry is held until a person settles it (or one of the rows changes); always pending.
     */
    UNIQUE,
    /** A row points at a parent row another device deleted concurrently; always pending. */
    ORPHAN,
    /**
     * Two devices inserted different rows under the same SQLite-assigned key (a rowid table tracked by
     * opt-in): the local row stays, the remote row is kept in the conflict; always pending.
     */
    KEY_COLLISION;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ConflictKind fromDb(String value) {
        return value == null ? EDIT : valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
