package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.VersionVector;

/**
 * The decisions of conflict handling, with no storage: how an incoming entry relates to the row this
 * device holds, and which side a whole-row policy keeps. Pure functions, so every rule can be tested alone.
 */
final class Settlement {

    /** How an incoming entry relates to the row version this device holds. */
    enum Relation {
        /** The row has already seen the entry, or something after it: nothing to do. */
        KNOWN,
        /** The entry was made on top of everything the row has seen: it simply applies. */
        SUCCESSOR,
        /** Each side has seen something the other has not: a conflict. */
        CONCURRENT
    }

    /** Which value the row holds after settling. */
    enum Outcome {
        /** The row keeps its local value (or stays deleted). */
        KEEP_LOCAL,
        /** The row takes the incoming entry's value (or becomes a tombstone). */
        TAKE_REMOTE,
        /** The row is recomputed column by column ({@link ColumnMerge}). */
        MERGE
    }

    /**
     * What a whole-row policy decides for a conflict.
     *
     * @param outcome          the value the row keeps
     * @param writesResolution true if this device must write a RESOLUTION entry with that value, whose base
     *                         covers both sides, so that every other device takes the same value
     * @param status           the conflict's status after settling
     * @param resolution       how it was settled, for {@code sync_conflicts.resolution}; null while pending
     */
    record Verdict(Outcome outcome, boolean writesResolution, ConflictStatus status, String resolution) {
    }

    private Settlement() {
    }

    /**
     * Relates {@code incoming} to the row version {@code row} (the empty vector for a row never seen).
     * Known when the row's vector is at or after the entry's own vector; a successor when the entry's base
     * is at or after the row's vector; concurrent otherwise.
     */
    static Relation relate(VersionVector row, ChangeEntry incoming) {
        if (row.dominates(incoming.vector())) {
            return Relation.KNOWN;
        }
        if (incoming.base().dominates(row)) {
            return Relation.SUCCESSOR;
        }
        return Relation.CONCURRENT;
    }

    /**
     * Settles a conflict between the row this device holds, last written at {@code local} by an entry of
     * kind {@code localKind}, and the concurrent {@code incoming} entry.
     *
     * <p>Two resolutions that are concurrent with each other always settle by timestamp and never write a
     * new entry, so resolving can never loop: every resolution covers the edits it settled, and only an
     * edit can start a new round.
     */
    static Verdict settle(ConflictPolicy policy, WriteClock local, Kind localKind, ChangeEntry incoming) {
        boolean remoteLater = WriteClock.of(incoming).isAfter(local);
        Outcome later = remoteLater ? Outcome.TAKE_REMOTE : Outcome.KEEP_LOCAL;
        String laterName = remoteLater ? "remote" : "local";
        if (incoming.kind() == Kind.RESOLUTION && localKind == Kind.RESOLUTION) {
            return new Verdict(later, false, ConflictStatus.RESOLVED,
                    "timestamp: concurrent resolutions, " + laterName + " is later");
        }
        return switch (policy) {
            case TIMESTAMP -> new Verdict(later, false, ConflictStatus.RESOLVED, "timestamp: " + laterName + " is later");
            case LOCAL -> new Verdict(Outcome.KEEP_LOCAL, true, ConflictStatus.RESOLVED, "local");
            case REMOTE -> new Verdict(Outcome.TAKE_REMOTE, true, ConflictStatus.RESOLVED, "remote");
            case MERGE -> new Verdict(Outcome.MERGE, false, ConflictStatus.RESOLVED, "merge");
            case MANUAL -> new Verdict(Outcome.KEEP_LOCAL, false, ConflictStatus.PENDING, null);
        };
    }
}
