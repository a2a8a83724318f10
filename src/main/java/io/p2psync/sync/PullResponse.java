package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import java.util.List;

/**
 * A page of a pull as the round uses it; on the wire it is {@link io.p2psync.wire.PullResponseBody}.
 *
 * @param entries entries the caller lacks, oldest first per origin; a prefix of each origin's missing run
 * @param serverVector what the server holds after this answer was made (used to decide what to push)
 * @param more true if the server has more entries the caller lacks beyond this page
 */
public record PullResponse(List<ChangeEntry> entries, VersionVector serverVector, boolean more) {

    public PullResponse {
        entries = entries == null ? List.of() : List.copyOf(entries);
        if (serverVector == null) {
            serverVector = VersionVector.EMPTY;
        }
    }
}
