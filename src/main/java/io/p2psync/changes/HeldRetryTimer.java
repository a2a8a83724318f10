package io.p2psync.changes;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The slow timer of holds: every few minutes, retries every held entry (schema reasons included), for what
 * no event announces (the app changed a clashing row, a constraint was dropped, a table appeared).
 */
@Component
class HeldRetryTimer {

    private static final Logger log = LoggerFactory.getLogger(HeldRetryTimer.class);

    private final RemoteChangeApplier applier;

    HeldRetryTimer(RemoteChangeApplier applier) {
        this.applier = applier;
    }

    @Scheduled(initialDelay = 5, fixedDelay = 5, timeUnit = TimeUnit.MINUTES)
    void retry() {
        try {
            int released = applier.retryHeld(true);
            if (released > 0) {
                log.info("applied {} held entries on the slow retry", released);
            }
        } catch (DataAccessException busy) {
            log.debug("held entries not retried now: {}", busy.getMostSpecificCause().getMessage());
        }
    }
}
