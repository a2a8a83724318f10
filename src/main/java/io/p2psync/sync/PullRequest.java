package io.p2psync.sync;

import io.p2psync.changes.VersionVector;

/**
 * A pull as the round asks for it; on the wire it is {@link io.p2psync.wire.PullRequestBody}.
 *
 * @param vector what the caller has: per origin, the highest version it holds with no gap; null or absent
 *     means nothing
 * @param limit the most entries to answer; null for the server's default; capped by the server
 */
public record PullRequest(VersionVector vector, Integer limit) {

    public PullRequest {
        if (vector == null) {
            vector = VersionVector.EMPTY;
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
    }
}
