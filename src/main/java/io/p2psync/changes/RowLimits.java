package io.p2psync.changes;

import java.util.Map;
import java.util.Optional;

/**
 * Limits on the rows of one tracked table that hold for every write, also one that comes from another
 * device: a package that owns a table (the key-value store, say) gives its limits here, and the applier
 * holds an entry whose row breaks them ({@link HoldReason#LIMIT}) instead of writing it.
 */
public interface RowLimits {

    /** The table these limits are for. */
    String table();

    /**
     * Why the row may not be written here, or empty if it may.
     *
     * @param row the row as an entry would write it, each value with its own storage class
     */
    Optional<String> refusal(Map<String, Object> row);
}
