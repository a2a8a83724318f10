package io.p2psync.dashboard.peers;

import io.p2psync.peers.PeerRunner.RoundReport;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The latest round that ran with each peer since this process started, from the reports the per-peer
 * scheduler publishes: what the peers page shows as "last round" (pulled, pushed, conflicts, refused, held).
 * Bounded by {@link #MAX_PEERS}; a skipped round (a running one, an open breaker) does not replace a real one.
 */
@Component
class LastRounds {

    /** Peers remembered at most; far more than one person's devices. */
    static final int MAX_PEERS = 1000;

    /** A round and when it ended. */
    record Last(RoundReport report, Instant endedAt) {
    }

    private final Map<String, Last> last = new ConcurrentHashMap<>();
    private final Clock clock;

    LastRounds(ObjectProvider<Clock> clock) {
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @EventListener
    void ended(RoundReport report) {
        if (report.result() == RoundReport.Result.SKIPPED) {
            return;
        }
        if (last.size() >= MAX_PEERS && !last.containsKey(report.peer().key())) {
            return;
        }
        last.put(report.peer().key(), new Last(report, clock.instant()));
    }

    Optional<Last> of(String peerKey) {
        return Optional.ofNullable(last.get(peerKey));
    }
}
