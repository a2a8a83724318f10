package io.p2psync.peers;

import io.p2psync.changes.HeldEntries;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** {@link HeldCounts} from the change log's holds ({@code sync_held}). */
@Component
class LogHeldCounts implements HeldCounts {

    private final HeldEntries held;

    LogHeldCounts(HeldEntries held) {
        this.held = held;
    }

    @Override
    public long count() {
        return held.count();
    }

    @Override
    public long countDeliveredBy(String deviceId) {
        return held.countDeliveredBy(deviceId);
    }

    @Override
    public Optional<Instant> oldestHeldSince() {
        return held.oldestHeldAt();
    }
}
