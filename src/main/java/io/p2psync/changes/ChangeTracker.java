package io.p2psync.changes;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The change log as the rest of the node sees it (the seed's ChangeTracker): seal captured changes, list
 * what another device lacks, mark entries as synced, verify the log. Applying entries from other devices is
 * {@link RemoteChangeApplier}.
 *
 * <p>Methods that write join the caller's transaction or start their own; the others read in autocommit.
 */
@Service
public class ChangeTracker {

    /** The most entries one {@link #missingFrom} call answers. */
    public static final int MAX_PAGE = 10_000;

    private final ChangeSealer sealer;
    private final ChangeLog log;
    private final ChangeVerifier verifier;
    private final RowStates rows;
    private final StagedEntries staged;
    private final TransactionTemplate tx;

    ChangeTracker(ChangeSealer sealer, ChangeLog log, ChangeVerifier verifier, RowStates rows, StagedEntries staged,
            TransactionTemplate tx) {
        this.tx = tx;
        this.sealer = sealer;
        this.log = log;
        this.verifier = verifier;
        this.rows = rows;
        this.staged = staged;
    }

    /**
     * Seals every change the triggers captured into this device's log ("log a change"). Call it in the same
     * transaction as a write to make that write's entry appear atomically with it; writes by other programs
     * are sealed by the capture poller.
     *
     * @return the number of entries made, 0 if nothing was pending
     */
    public int sealPending() {
        return sealer.sealPending();
    }

    /**
     * Seals what the triggers captured so far in parts, each a short write transaction of its own with a pause
     * for other writers between them; call it outside a transaction, before one that reads the log (a round's push,
     * a served pull). Inside a transaction it seals in that one, as {@link #sealPending}.
     *
     * @return the number of entries made, 0 if nothing was pending
     */
    public int sealBacklog() {
        return sealer.sealBacklog(tx);
    }

    /**
     * Logs a change that did not come through a trigger, such as a conflict resolution whose row the caller
     * wrote with the apply guard set. Its base is the row's current vector.
     */
    public ChangeEntry log(RowChange change) {
        return sealer.seal(change);
    }

    /**
     * Entries a device that knows {@code known} lacks: those whose version is above {@code known}'s version
     * for their origin, in the order this log received them (so per origin always in version order), at most
     * {@code limit}. To page, call again with {@code known} raised by the entries received. An empty list
     * means it lacks nothing.
     */
    public List<ChangeEntry> missingFrom(VersionVector known, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        }
        return log.missingFrom(known, limit);
    }

    /**
     * The same entries grouped by origin (origins in id order, each oldest first), read with one index range
     * per origin so the cost never grows with the size of the log: what sync pages are made of. For a caller
     * that already read {@code mine} from {@link #versionVector()}. Origins whose version in {@code known} is
     * {@link Long#MAX_VALUE} are skipped. {@code limit} may be one more than {@link #MAX_PAGE}, so a caller
     * serving full pages can tell whether more remain.
     */
    public List<ChangeEntry> missingFrom(VersionVector mine, VersionVector known, int limit) {
        if (limit < 1 || limit > MAX_PAGE + 1) {
            throw new IllegalArgumentException("limit must be 1.." + (MAX_PAGE + 1));
        }
        return log.missingFrom(mine, known, limit);
    }

    /**
     * A page of what a device that knows {@code known} lacks, bounded by count and by bytes: what pull answers
     * and pushes are made of. Entries come as in {@link #missingFrom(VersionVector, VersionVector, int)}; they
     * are taken while the next keeps the page within {@code budget} bytes, and the first is taken however large
     * (so a big entry never stalls its origin), unless it is larger than {@code maxEntry}: such an entry, and
     * everything after it of its origin, is left out and named in {@link LogPage#tooLarge()}. An entry's size
     * is an upper bound on the bytes its JSON takes in a sync body (docs/protocol.md, "Entries"), computed from
     * the stored text without reading it into memory.
     *
     * @param mine     this device's vector, from {@link #versionVector()}
     * @param limit    the most entries, 1..{@link #MAX_PAGE}
     * @param budget   the most bytes the entries may take together, when there are two or more
     * @param maxEntry the largest entry that may travel, in bytes
     */
    public LogPage page(VersionVector mine, VersionVector known, int limit, long budget, long maxEntry) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        }
        if (budget < 1 || maxEntry < 1) {
            throw new IllegalArgumentException("budget and maxEntry must be positive");
        }
        return log.page(mine, known, limit, budget, maxEntry);
    }

    /** What this device has: the highest version per origin (versions are stored without gaps). */
    public VersionVector versionVector() {
        return log.vector();
    }

    /** True if the triggers captured changes that are not sealed into the log yet: one cheap read. */
    public boolean hasUnsealedCaptures() {
        return sealer.hasPending();
    }

    /** Marks entries as delivered to at least one peer; answers how many were found. */
    public int markSynced(Collection<EntryRef> entries) {
        return entries.isEmpty() ? 0 : log.markSynced(entries);
    }

    public Optional<ChangeEntry> find(EntryRef ref) {
        return log.find(ref.origin(), ref.version());
    }

    /**
     * The hybrid clock of the entry that last wrote the row, as the change log orders writes; empty for a row
     * the log has never written (not sealed yet, or never there).
     */
    public OptionalLong lastWriteClock(String table, String recordId) {
        return rows.find(table, recordId).map(s -> OptionalLong.of(s.hlc())).orElse(OptionalLong.empty());
    }

    /**
     * Entries that wait for the last entry of their group: stored here but not on their rows yet, or received
     * without their group's signed end and kept outside the log until it comes.
     */
    public long waitingForGroupEnd() {
        return log.waitingForGroupEnd() + staged.count();
    }

    /** Number of entries in the log. */
    public long count() {
        return log.count();
    }

    /**
     * Verifies the whole log: per origin no gaps, every hash matches its content, every prevHash matches the
     * previous entry, every group end's signature verifies. Empty means all good; otherwise each failing entry and why.
     */
    public List<VerificationFailure> verify() {
        return verifier.verifyAll();
    }

    /**
     * Verifies one entry against the previous entry of its origin stored here; empty if it holds.
     *
     * @return the reason it fails
     */
    public Optional<String> verify(ChangeEntry entry) {
        String prevHash = entry.version() == 1 ? null
                : log.hashOf(entry.origin(), entry.version() - 1).orElse(null);
        if (entry.version() > 1 && prevHash == null) {
            return Optional.of("version " + (entry.version() - 1) + " of " + entry.origin() + " is not here");
        }
        return Optional.ofNullable(ChangeVerifier.problem(entry, entry.version() - 1, prevHash));
    }
}
