package io.p2psync.changes;

import java.util.Locale;

/**
 * Why an entry that verified is held instead of applied ({@code sync_held.reason}). A held entry is in the
 * log (its chain goes on and it is relayed); it is retried by itself when its reason may have gone.
 */
public enum HoldReason implements ApplyOutcome.Reason {
    /** The entry's table is not tracked here (not configured, or not created yet). Retried on a schema change. */
    MISSING_TABLE,
    /**
     * The table here lacks columns the entry carries (added or renamed on another device). The row took the
     * columns it has; the missing columns' values wait for a schema change that adds them.
     */
    MISSING_COLUMN,
    /** The table here refuses a NULL the entry carries. */
    NOT_NULL,
    /** A CHECK constraint here refuses the row. */
    CHECK,
    /** Another row here holds the same value in a UNIQUE column; also a pending conflict for a person. */
    UNIQUE,
    /** Another constraint refused the row. */
    CONSTRAINT,
    /**
     * The entry's data or record id does not decode into this table's row, or its data holds another key than
     * its record id (a faulty origin made it).
     */
    UNDECODABLE,
    /**
     * The entry's base names a version this device does not have: it was made on edits that have not arrived
     * yet, or that no device made. Placing it before them could make their edits, or edits concurrent with
     * them, look older than it. Retried whenever entries arrive.
     */
    UNKNOWN_BASE,
    /** A local limit on the table's rows ({@link RowLimits}, such as the key-value store's sizes) refuses it. */
    LIMIT,
    /** An earlier entry of the same row is held; this one waits behind it. */
    WAITING_BEHIND;

    /** The lowercase, dashed form stored in {@code sync_held} and shown by the API. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static HoldReason fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** True for reasons only a schema change can remove (not worth retrying on every arrival). */
    boolean waitsForSchema() {
        return this == MISSING_TABLE || this == MISSING_COLUMN;
    }
}
