package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import java.util.List;

/**
 * A push as the round makes it: entries the server lacks, oldest first per origin; on the wire it is
 * {@link io.p2psync.wire.PushRequestBody}.
 */
public record PushRequest(List<ChangeEntry> entries) {

    public PushRequest {
        if (entries == null) {
            throw new IllegalArgumentException("entries is required");
        }
        entries = List.copyOf(entries);
    }
}
