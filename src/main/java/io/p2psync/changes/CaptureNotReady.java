package io.p2psync.changes;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.dao.TransientDataAccessResourceException;

/**
 * Nothing may be written to these tables yet, neither another device's entry nor a write made here without a
 * trigger (a person's conflict resolution): a row of them may hold a write of the app that no capture trigger saw,
 * and writing over it would lose that write here and never send it. Transient: the same write goes through once the
 * node has put the tables' triggers back and the reconciliation scan has sealed such writes, which usually takes
 * moments (see {@code CaptureReadiness}). Nothing was written when this is thrown.
 */
public final class CaptureNotReady extends TransientDataAccessResourceException {

    /**
     * When to try again, as a caller is told (HTTP {@code Retry-After}): the node notices a re-created table within a
     * capture poll and scans an owed table at once; this covers a scan that was already under way.
     */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final List<String> tables;

    public CaptureNotReady(Set<String> tables) {
        super("nothing is written to " + tables + " yet: rows there may hold writes the capture triggers did not see"
                + " (the table was re-created, or the node has not scanned it since it started); the reconciliation"
                + " scan seals them first");
        this.tables = List.copyOf(tables);
    }

    /** The tables that are not ready, in the order asked about. */
    public List<String> tables() {
        return tables;
    }
}
