package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import java.util.List;
import org.springframework.stereotype.Component;

/** Answers pulls: the entries a caller lacks, a page at a time. */
@Component
public class SyncSource {

    private final ChangeTracker tracker;

    SyncSource(ChangeTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * @param known what the caller holds
     * @param limit the most entries to answer
     */
    public PullResponse pull(VersionVector known, int limit) {
        if (tracker.hasUnsealedCaptures()) {
            tracker.sealPending(); // so writes made a moment ago by other programs are answered too
        }
        VersionVector mine = tracker.versionVector();
        List<ChangeEntry> entries = tracker.missingFrom(mine, known, limit + 1);
        boolean more = entries.size() > limit;
        return new PullResponse(more ? entries.subList(0, limit) : entries, mine, more);
    }
}
