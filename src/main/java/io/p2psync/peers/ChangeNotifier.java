package io.p2psync.peers;

import io.p2psync.changes.LocalChangesSealed;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Tells healthy peers about local changes soon: {@code p2psync.sync.notify-debounce} after the first change
 * that is committed (500 ms by default), one round with every paired peer whose breaker is closed and whose
 * latest round did not fail (a newly paired peer counts as healthy). Changes made meanwhile travel in the same round. Peers that are failing are left
 * to the scheduled catch-up, which retries with backoff.
 */
@Component
class ChangeNotifier {

    private final PeerDirectory directory;
    private final PeerRunner runner;
    private final PeerGuards guards;
    private final PeerHealth health;
    private final CatchUpSettings settings;
    private final AtomicBoolean pending = new AtomicBoolean();

    ChangeNotifier(PeerDirectory directory, PeerRunner runner, PeerGuards guards, PeerHealth health,
                   CatchUpSettings settings) {
        this.directory = directory;
        this.runner = runner;
        this.guards = guards;
        this.health = health;
        this.settings = settings;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void onSealed(LocalChangesSealed sealed) {
        if (settings.auto() && pending.compareAndSet(false, true)) {
            runner.later(settings.notifyDebounce(), this::notifyPeers);
        }
    }

    void notifyPeers() {
        // Cleared first: a change sealed from here on schedules another round rather than being missed.
        pending.set(false);
        for (Peer peer : directory.syncTargets()) {
            if (health.healthy(peer.key())
                    && guards.breakerState(peer.key()) == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                runner.submit(peer, PeerRunner.Trigger.CHANGE);
            }
        }
    }
}
