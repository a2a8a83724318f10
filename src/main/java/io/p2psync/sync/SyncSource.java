package io.p2psync.sync;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.Forks;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.TrackedTables;
import io.p2psync.changes.VersionVector;
import org.springframework.stereotype.Component;

/**
 * Answers pulls: the entries a caller lacks, a page at a time, bounded by count and by
 * {@link SyncSettings#pageBytes()}; entries above {@link SyncSettings#maxEntrySize()} are named, not sent.
 */
@Component
public class SyncSource {

    /** Bytes of a pull answer around its entries and vector: format, field names, brackets. */
    private static final long ANSWER_FRAME = 128;
    /** Bytes per origin of the answer's vector: quotes, colon, comma and a version, beside the origin's id. */
    private static final long PER_ORIGIN = 24;

    private final ChangeTracker tracker;
    private final Forks forks;
    private final SyncSettings settings;
    private final TrackedTables tables;

    SyncSource(ChangeTracker tracker, Forks forks, SyncSettings settings, TrackedTables tables) {
        this.tracker = tracker;
        this.forks = forks;
        this.settings = settings;
        this.tables = tables;
    }

    /**
     * Answers a pull with this device's chain heads ({@link Forks}), so the caller can see a fork, and what became
     * of the columns this device saw go, so a caller that never saw them go (set up later, at the new schema) reads
     * entries that name a column by its former name.
     *
     * @param known what the caller holds
     * @param limit the most entries to answer
     */
    public PullResponse pullWithHeads(VersionVector known, int limit) {
        PullResponse answer = pull(known, limit);
        return new PullResponse(answer.entries(), answer.serverVector(), answer.more(), answer.tooLarge(),
                forks.heads(answer.serverVector()), tables.formerColumnsToTell());
    }

    /**
     * @param known what the caller holds
     * @param limit the most entries to answer
     */
    public PullResponse pull(VersionVector known, int limit) {
        tracker.sealBacklog(); // so writes made a moment ago by other programs are answered too (one read if none)
        VersionVector mine = tracker.versionVector();
        long budget = Math.max(1, settings.pageBytes().toBytes() - envelope(mine));
        LogPage page = tracker.page(mine, known, Math.min(limit, ChangeTracker.MAX_PAGE), budget,
                settings.maxEntrySize().toBytes());
        return new PullResponse(page.entries(), mine, page.more(), page.tooLarge());
    }

    /** What the answer takes besides its entries: mostly the server's vector, which grows with the origins. */
    private static long envelope(VersionVector mine) {
        long bytes = ANSWER_FRAME;
        for (String origin : mine.asMap().keySet()) {
            bytes += origin.length() + PER_ORIGIN;
        }
        return bytes;
    }
}
