package io.p2psync.peers;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs rounds with peers, each peer on its own thread so a dead or slow peer never holds up another, at most
 * one round per peer at a time, under the peer's {@link PeerGuards}. Writes one log line per round and peer.
 *
 * <p>On shutdown it stops taking rounds, lets running ones finish for up to {@link #DRAIN}, then interrupts
 * them. An interrupted round loses at most the batch it was applying: each batch is one transaction, and the
 * next round resumes from the version vector.
 */
@Component
public class PeerRunner implements SmartLifecycle {

    /** Why a round runs. */
    public enum Trigger {
        /** The scheduled catch-up: retried with backoff. */
        CATCH_UP,
        /** A local change to pass on soon: one attempt, the next catch-up is the safety net. */
        CHANGE
    }

    /** How long shutdown waits for running rounds before interrupting them. */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(PeerRunner.class);

    private final PeerSync sync;
    private final PeerGuards guards;
    private final PeerHealth health;
    private final Clock clock;
    private final ExecutorService workers = Executors.newCachedThreadPool(PeerGuards.daemonThreads("peer-sync-"));
    /** Times rounds and debounces; its own thread, so a busy shared scheduler never delays or bunches rounds. */
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(PeerGuards.daemonThreads("peer-sync-timer-"));
    private volatile boolean running;

    @Autowired
    PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, ObjectProvider<Clock> clock) {
        this(sync, guards, health, clock.getIfAvailable(Clock::systemUTC));
    }

    PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, Clock clock) {
        this.sync = sync;
        this.guards = guards;
        this.health = health;
        this.clock = clock;
        this.running = true;
    }

    /**
     * Starts a round with {@code peer} on a thread of its own, unless one is running. For a change, a running
     * round is asked to go once more when done, so the change is not left for the next interval.
     *
     * @return true if a round was started
     */
    public boolean submit(Peer peer, Trigger trigger) {
        if (!running) {
            return false;
        }
        if (!health.tryBegin(peer.key(), trigger == Trigger.CHANGE)) {
            if (trigger == Trigger.CATCH_UP) {
                log.info("Catch-up with {}: skipped, the previous round is still running", label(peer));
            }
            return false;
        }
        try {
            workers.execute(() -> runRounds(peer, trigger));
            return true;
        } catch (RejectedExecutionException stopping) {
            health.endOrContinue(peer.key());
            return false;
        }
    }

    private void runRounds(Peer peer, Trigger trigger) {
        Trigger next = trigger;
        do {
            if (!running) {
                health.endOrContinue(peer.key());
                return;
            }
            round(peer, next);
            next = Trigger.CHANGE;
        } while (health.endOrContinue(peer.key()));
    }

    private void round(Peer peer, Trigger trigger) {
        long start = System.nanoTime();
        String key = peer.key();
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<Exception> lastFailure = new AtomicReference<>();
        Callable<RoundOutcome> attempt = () -> {
            attempts.incrementAndGet();
            try {
                return sync.sync(peer);
            } catch (Exception e) {
                lastFailure.set(e);
                throw e;
            }
        };
        try {
            RoundOutcome outcome = trigger == Trigger.CATCH_UP
                    ? guards.callWithRetry(key, attempt)
                    : guards.callOnce(key, attempt);
            health.succeeded(key, clock.instant());
            String line = "{} with {}: ok, pulled {}, pushed {}, conflicts {}, refused {} in {} ms";
            Object[] args = {what(trigger), label(peer), outcome.pulled(), outcome.pushed(), outcome.conflicts(),
                    outcome.rejected(), millisSince(start)};
            // SyncManager already logs every round at INFO with these counts: one line per round per peer.
            log.debug(line, args);
        } catch (CallNotPermittedException open) {
            if (attempts.get() == 0) {
                log.info("{} with {}: skipped, circuit breaker open after {} failed rounds (last error: {})",
                        what(trigger), label(peer), health.record(key).failedRounds(), health.record(key).lastError());
            } else {
                // A trial (half-open) attempt ran and failed, which opened the breaker again before a retry.
                failed(peer, trigger, lastFailure.get() == null ? "timed out" : describe(lastFailure.get()), start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("{} with {}: interrupted by shutdown; the next start resumes from the version vector",
                    what(trigger), label(peer));
        } catch (Exception e) {
            if (!running) {
                log.info("{} with {}: stopped by shutdown ({}); the next start resumes from the version vector",
                        what(trigger), label(peer), describe(e));
                return;
            }
            failed(peer, trigger, describe(e), start);
        }
    }

    private void failed(Peer peer, Trigger trigger, String error, long start) {
        health.failed(peer.key(), error, clock.instant());
        log.warn("{} with {}: failed after {} ms: {}; breaker {}, {} failed rounds in a row", what(trigger),
                label(peer), millisSince(start), error, guards.breakerState(peer.key()),
                health.record(peer.key()).failedRounds());
    }

    /** Runs {@code task} now and then {@code delay} after each run ends, until cancelled or stopped. */
    ScheduledFuture<?> repeat(Duration delay, Runnable task) {
        return timer.scheduleWithFixedDelay(guarded(task), 0, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} once after {@code delay}. */
    void later(Duration delay, Runnable task) {
        try {
            timer.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            log.debug("not scheduling a peer task: shutting down");
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A failing run must not cancel the schedule; the next run tries again.
                log.warn("Peer sync task failed: {}", describe(e));
            }
        };
    }

    static String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "timed out";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String what(Trigger trigger) {
        return trigger == Trigger.CATCH_UP ? "Catch-up" : "Change push";
    }

    private static String label(Peer peer) {
        return peer.name() == null ? peer.key() + " (" + peer.url() + ")"
                : peer.name() + " " + peer.key() + " (" + peer.url() + ")";
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                log.info("Interrupting peer rounds still running after {}", DRAIN);
                workers.shutdownNow();
                workers.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            guards.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the scheduler (so no round starts while draining) and before the web server and database. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
