package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.VersionVector;
import java.util.List;
import java.util.Map;

/**
 * A page of a pull as the round uses it; on the wire it is {@link io.p2psync.wire.PullResponseBody}.
 *
 * @param entries entries the caller lacks, oldest first per origin; a prefix of each origin's missing run
 * @param serverVector what the server holds after this answer was made (used to decide what to push)
 * @param more true if the server has more entries the caller lacks beyond this page
 * @param tooLarge entries the server keeps back because they are larger than its maximum entry size, one per
 *     origin (the rest of that origin waits behind it); empty when none
 * @param serverHeads the server's chain heads (per origin of {@code serverVector}, the hash at that version)
 * @param formerColumns per table, what became of the columns the server's node saw go: renamed to which, or
 *     dropped (docs/storage.md, "Schema changes")
 */
public record PullResponse(List<ChangeEntry> entries, VersionVector serverVector, boolean more,
                           List<LogPage.TooLarge> tooLarge, Map<String, String> serverHeads,
                           Map<String, FormerColumns> formerColumns) {

    public PullResponse(List<ChangeEntry> entries, VersionVector serverVector, boolean more,
                        List<LogPage.TooLarge> tooLarge) {
        this(entries, serverVector, more, tooLarge, Map.of(), Map.of());
    }

    public PullResponse {
        serverHeads = serverHeads == null ? Map.of() : Map.copyOf(serverHeads);
        formerColumns = formerColumns == null ? Map.of() : Map.copyOf(formerColumns);
        entries = entries == null ? List.of() : List.copyOf(entries);
        if (serverVector == null) {
            serverVector = VersionVector.EMPTY;
        }
        tooLarge = tooLarge == null ? List.of() : List.copyOf(tooLarge);
    }

    public PullResponse(List<ChangeEntry> entries, VersionVector serverVector, boolean more) {
        this(entries, serverVector, more, List.of());
    }
}
