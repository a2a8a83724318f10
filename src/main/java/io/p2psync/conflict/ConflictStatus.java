package io.p2psync.conflict;

/** Where a conflict stands; stored lowercase in {@code sync_conflicts.status}. */
public enum ConflictStatus {
    /** Waiting for a person (policy {@code manual}). */
    PENDING,
    /** Settled, by the policy or by a person; {@code resolution} says how. */
    RESOLVED,
    /** A person chose to leave the row as it is on this device. */
    IGNORED;

    public String dbValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ConflictStatus fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
