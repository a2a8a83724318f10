package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import java.util.List;

/**
 * Body of {@code POST /sync/push}: entries the server lacks, oldest first per origin.
 */
public record PushRequest(List<ChangeEntry> entries) {

    public PushRequest {
        if (entries == null) {
            throw new IllegalArgumentException("entries is required");
        }
        entries = List.copyOf(entries);
    }
}
