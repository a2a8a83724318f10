package io.p2psync.conflict;

import io.p2psync.changes.VersionVector;
import java.time.Instant;

/**
 * One conflict as stored in {@code sync_conflicts}: two edits of the same row made without seeing each
 * other, as this device saw them.
 *
 * @param id         local id (not shared between devices)
 * @param local      the row this device held when the incoming entry arrived
 * @param remote     the incoming entry
 * @param policy     the policy that settled it (or left it pending)
 * @param resolution how it was settled; null while pending
 * @param resolvedAt when it stopped being pending; null while pending
 * @param kind       what the conflict is about; for {@link ConflictKind#UNIQUE} the local side is the other
 *                   row that holds the same UNIQUE values, for {@link ConflictKind#ORPHAN} the local side is
 *                   the child row and the remote side the parent's table with no data
 */
public record Conflict(long id, String table, String recordId, ConflictStatus status, ConflictPolicy policy,
        Side local, Side remote, String resolution, Instant createdAt, Instant resolvedAt, ConflictKind kind) {

    public Conflict {
        kind = kind == null ? ConflictKind.EDIT : kind;
    }

    /**
     * One side of a conflict.
     *
     * @param data     the row as a JSON object, or null if on this side the row is deleted (or was never there)
     * @param version  on the local side the row's version vector, on the remote side the entry's own vector
     * @param deviceId origin of the entry this side's value came from
     * @param hlc      that entry's hybrid clock timestamp
     * @param entry    that entry as {@code origin#version}
     */
    public record Side(String data, VersionVector version, String deviceId, long hlc, String entry) {

        public WriteClock clock() {
            return new WriteClock(hlc, deviceId);
        }

        public boolean deleted() {
            return data == null;
        }
    }

    public boolean pending() {
        return status == ConflictStatus.PENDING;
    }

    /** Everything either side had seen: a resolution whose base covers this settles the conflict everywhere. */
    public VersionVector covering() {
        return local.version().merge(remote.version());
    }
}
