package io.p2psync.changes;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Drops staged entries ({@code sync_staged}) whose group's end has not come within {@link #KEPT_FOR}. A group
 * cut by a page boundary is finished by the next page of the same round, seconds later; entries still waiting
 * after an hour belong to a group that will not be finished from them (its sender stopped half way, or made
 * them up), and a round that brings the group again stages it again.
 */
@Component
class StagedEntriesExpiry {

    /** How long a staged entry waits for its group's end. */
    static final Duration KEPT_FOR = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(StagedEntriesExpiry.class);

    private final StagedEntries staged;

    StagedEntriesExpiry(StagedEntries staged) {
        this.staged = staged;
    }

    @Scheduled(initialDelay = 10, fixedDelay = 10, timeUnit = TimeUnit.MINUTES)
    void expire() {
        try {
            int dropped = staged.dropReceivedBefore(System.currentTimeMillis() - KEPT_FOR.toMillis());
            if (dropped > 0) {
                log.info("dropped {} staged entries whose group's end did not come within {}", dropped, KEPT_FOR);
            }
        } catch (DataAccessException busy) {
            log.debug("staged entries not expired now: {}", busy.getMostSpecificCause().getMessage());
        }
    }
}
