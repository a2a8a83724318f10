package io.p2psync.changes;

import java.util.List;

/**
 * Published (as a Spring application event) whenever entries are appended to {@code sync_log}: sealed here
 * or received from another device. Listeners that act on the stored state should use
 * {@code @TransactionalEventListener} so they run only once the entries are committed.
 *
 * @param entries the entries, in the order appended (per origin in version order); never empty
 * @param receivedFrom device id of the device that delivered them, or null for entries made here
 */
public record EntriesStored(List<ChangeEntry> entries, String receivedFrom) {

    public EntriesStored {
        entries = List.copyOf(entries);
    }

    /** True for entries this device sealed itself. */
    public boolean local() {
        return receivedFrom == null;
    }
}
