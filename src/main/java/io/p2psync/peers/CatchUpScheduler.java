package io.p2psync.peers;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The scheduled catch-up: once at start-up and then every {@code p2psync.sync.interval}, a round with every
 * paired peer, each on its own thread ({@link PeerRunner}). A round only starts the peers' rounds and returns,
 * so a slow peer never delays the schedule or the others; a peer whose previous round still runs is skipped.
 */
@Component
public class CatchUpScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CatchUpScheduler.class);

    private final PeerDirectory directory;
    private final PeerRunner runner;
    private final CatchUpSettings settings;
    private final Clock clock;
    private volatile ScheduledFuture<?> task;
    private volatile Instant nextRoundAt;

    CatchUpScheduler(PeerDirectory directory, PeerRunner runner, CatchUpSettings settings, ObjectProvider<Clock> clock) {
        this.directory = directory;
        this.runner = runner;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** Starts a round with every paired peer now; answers the peers whose round started. */
    public List<Peer> runRound() {
        nextRoundAt = clock.instant().plus(settings.interval());
        try {
            return directory.syncTargets().stream()
                    .filter(peer -> runner.submit(peer, PeerRunner.Trigger.CATCH_UP))
                    .toList();
        } catch (RuntimeException e) {
            // The schedule must survive a failing read of the peer list; the next round tries again.
            log.warn("Catch-up round could not list the peers: {}", e.getMessage());
            return List.of();
        }
    }

    /** When the next scheduled round starts, or null if the schedule is not running. */
    public Instant nextRoundAt() {
        return task == null ? null : nextRoundAt;
    }

    @Override
    public void start() {
        if (!settings.auto()) {
            log.info("Automatic sync is off (p2psync.sync.auto=false): only POST /sync/now syncs");
            return;
        }
        nextRoundAt = clock.instant();
        task = runner.repeat(settings.interval(), this::runRound);
        log.info("Catch-up with paired peers every {}, first round now", settings.interval());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> t = task;
        task = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }

    /** Stops before the runner, so no round starts while it drains. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
