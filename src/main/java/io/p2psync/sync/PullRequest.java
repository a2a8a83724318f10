package io.p2psync.sync;

import io.p2psync.changes.VersionVector;

/**
 * A pull as the round asks for it; on the wire it is {@link io.p2psync.wire.PullRequestBody}.
 *
 * @param vector what the caller has: per origin, the highest version it holds with no gap; null or absent
 *     means nothing
 * @param limit the most entries to answer; null for the server's default; capped by the server
 * @param heads the caller's chain heads (per origin of {@code vector}, the hash at that version), to show forks
 */
public record PullRequest(VersionVector vector, Integer limit, java.util.Map<String, String> heads) {

    public PullRequest(VersionVector vector, Integer limit) {
        this(vector, limit, java.util.Map.of());
    }

    public PullRequest {
        if (vector == null) {
            vector = VersionVector.EMPTY;
        }
        heads = heads == null ? java.util.Map.of() : java.util.Map.copyOf(heads);
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
    }
}
