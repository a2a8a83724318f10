package io.p2psync.peers;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one per-peer scheduler: every round with a peer runs here, whatever asked for it (the scheduled
 * catch-up, a local change, the live network on connect or after a gap, {@code POST /sync/now}). Each peer
 * runs on its own thread so a dead or slow peer never holds up another, at most one round per peer at a time,
 * under the peer's {@link PeerGuards}. Writes one log line per round and peer, counts rounds in
 * {@code p2psync.sync.rounds} (tags {@code peer}, {@code outcome}: ok, refusals, failed, deferred, skipped;
 * {@code trigger}: catch-up, change, connected, gap, manual) and keeps
 * the running round's progress in {@link RunningRounds}. Publishes each round's {@link RoundReport} as an
 * application event when it ends (the dashboard's peer list and activity feed listen).
 *
 * <p>On shutdown it stops taking rounds, lets running ones finish for up to {@link #DRAIN}, then interrupts
 * them. An interrupted round loses at most the batch it was applying: each batch is one transaction, and the
 * next round resumes from the version vector.
 */
@Component
public class PeerRunner implements SmartLifecycle {

    /** Why a round runs. */
    public enum Trigger {
        /** The scheduled catch-up: retried with backoff; skipped while a round with the peer runs. */
        CATCH_UP,
        /** A local change to pass on soon: one attempt, the next catch-up is the safety net. */
        CHANGE,
        /** The peer connected on the live network: one attempt; a sign it is back, so an open breaker lets a trial through. */
        CONNECTED,
        /** Gossip may have missed something (a gap, a dropped message): one attempt. */
        GAP,
        /** An admin asked ({@code POST /sync/now}): one attempt; an open breaker lets a trial through. */
        MANUAL
    }

    /**
     * What one round with one peer came to.
     *
     * @param peer the peer
     * @param trigger why it ran
     * @param result whether it completed, failed or did not run
     * @param outcome what it did if it completed, else null
     * @param error why it failed or did not run, else null
     * @param millis how long it took, retries included
     */
    public record RoundReport(Peer peer, Trigger trigger, Result result, RoundOutcome outcome, String error,
                              long millis) {

        /** How a round ended. */
        public enum Result {
            /** It completed (possibly with refused entries, see the outcome). */
            COMPLETED,
            /** It could not complete; {@code error} says why. */
            FAILED,
            /**
             * It stopped on a refusal for now (the peer asked to be called again later, or this device could not
             * apply yet); {@code error} says why, and the round runs again after the wait the peer asked for.
             */
            DEFERRED,
            /** It did not run (breaker open, a round was running, shutting down); {@code error} says why. */
            SKIPPED
        }
    }

    /** How long shutdown waits for running rounds before interrupting them. */
    static final Duration DRAIN = Duration.ofSeconds(10);
    /**
     * The pause before one more round asked for by gossip ({@link Trigger#GAP}) while one ran: a peer that keeps
     * going over its rate costs at most about one round per pause, and a burst still arrives in full.
     */
    static final Duration GAP_RERUN_DELAY = Duration.ofSeconds(1);
    /** The reasons for a round, the strongest first ({@link #stronger}). */
    private static final List<Trigger> STRONGEST_FIRST = List.of(Trigger.MANUAL, Trigger.CONNECTED, Trigger.GAP,
            Trigger.CHANGE, Trigger.CATCH_UP);
    static final String ROUNDS = "p2psync.sync.rounds";

    private static final Logger log = LoggerFactory.getLogger(PeerRunner.class);

    private final PeerSync sync;
    private final PeerGuards guards;
    private final PeerHealth health;
    private final RunningRounds rounds;
    private final MeterRegistry meters;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final ExecutorService workers = Executors.newCachedThreadPool(PeerGuards.daemonThreads("peer-sync-"));
    /** Times rounds and debounces; its own thread, so a busy shared scheduler never delays or bunches rounds. */
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(PeerGuards.daemonThreads("peer-sync-timer-"));
    /** Per peer, who waits for the next round to start and end; guarded by itself. */
    private final Map<String, List<CompletableFuture<RoundReport>>> waiting = new HashMap<>();
    /** Per peer, why the round asked for while one ran will run. */
    private final Map<String, Trigger> nextTrigger = new ConcurrentHashMap<>();
    private volatile boolean running;

    @Autowired
    PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, RunningRounds rounds, MeterRegistry meters,
               ObjectProvider<Clock> clock, ApplicationEventPublisher events) {
        this(sync, guards, health, rounds, meters, clock.getIfAvailable(Clock::systemUTC), events);
    }

    PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, Clock clock) {
        this(sync, guards, health, new RunningRounds(clock), new SimpleMeterRegistry(), clock);
    }

    PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, RunningRounds rounds, MeterRegistry meters,
               Clock clock) {
        this(sync, guards, health, rounds, meters, clock, event -> { });
    }

    private PeerRunner(PeerSync sync, PeerGuards guards, PeerHealth health, RunningRounds rounds,
                       MeterRegistry meters, Clock clock, ApplicationEventPublisher events) {
        this.events = events;
        this.sync = sync;
        this.guards = guards;
        this.health = health;
        this.rounds = rounds;
        this.meters = meters;
        this.clock = clock;
        this.running = true;
    }

    /**
     * Starts a round with {@code peer} on a thread of its own, unless one is running. For any trigger but the
     * scheduled catch-up, a running round is asked to go once more when done, so what asked is not left for
     * the next interval.
     *
     * @return true if a round was started
     */
    public boolean submit(Peer peer, Trigger trigger) {
        return start(peer, trigger, null);
    }

    /**
     * Asks for a round with {@code peer} and answers when a round that started after this call has ended: a new
     * one, or, if one is running, the one more it is asked to go. A scheduled catch-up while a round runs is
     * skipped (answered at once).
     */
    public CompletableFuture<RoundReport> request(Peer peer, Trigger trigger) {
        CompletableFuture<RoundReport> report = new CompletableFuture<>();
        start(peer, trigger, report);
        return report;
    }

    private boolean start(Peer peer, Trigger trigger, CompletableFuture<RoundReport> report) {
        String key = peer.key();
        if (!running) {
            complete(report, skipped(peer, trigger, "shutting down"));
            return false;
        }
        boolean again = trigger != Trigger.CATCH_UP;
        // Waiters and the follow-up's trigger are registered before the round can be asked for: a round that
        // starts from here on takes them, whichever thread starts it.
        if (report != null) {
            synchronized (waiting) {
                waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(report);
            }
        }
        if (again) {
            nextTrigger.merge(key, trigger, PeerRunner::stronger);
        }
        if (!health.tryBegin(key, again)) {
            if (!again) {
                log.info("Catch-up with {}: skipped, the previous round is still running", label(peer));
                if (report != null && unregister(key, report)) {
                    report.complete(skipped(peer, trigger, "the previous round is still running"));
                }
            }
            return false;
        }
        nextTrigger.remove(key); // this round is the one asked for
        try {
            workers.execute(() -> runRounds(peer, trigger));
            return true;
        } catch (RejectedExecutionException stopping) {
            health.endOrContinue(key);
            takeWaiters(key).forEach(w -> w.complete(skipped(peer, trigger, "shutting down")));
            return false;
        }
    }

    private void runRounds(Peer peer, Trigger first) {
        String key = peer.key();
        Trigger trigger = first;
        while (true) {
            List<CompletableFuture<RoundReport>> waiters = takeWaiters(key);
            RoundReport report = running ? round(peer, trigger) : skipped(peer, trigger, "shutting down");
            count(report);
            announce(report);
            Instant retryAt = health.record(key).retryAt();
            if (report.result() == RoundReport.Result.DEFERRED && retryAt != null) {
                // The peer stays marked as running until then, so whatever asks meanwhile folds into this one retry.
                waiters.forEach(w -> w.complete(report));
                long delay = Math.max(0, Duration.between(clock.instant(), retryAt).toMillis());
                try {
                    timer.schedule(() -> resume(peer, Trigger.CHANGE), delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    health.endOrContinue(key);
                    takeWaiters(key).forEach(w -> w.complete(skipped(peer, Trigger.CHANGE, "shutting down")));
                }
                return;
            }
            // Marked as ended before the waiters hear of it: whoever asks again at once gets a round of its own.
            boolean more = health.endOrContinue(key);
            waiters.forEach(w -> w.complete(report));
            if (!more) {
                return;
            }
            Trigger asked = nextTrigger.remove(key);
            trigger = asked == null ? Trigger.CHANGE : asked;
            if (trigger == Trigger.GAP) {
                // The peer stays marked as running meanwhile, so more asks fold into this follow-up.
                Trigger next = trigger;
                try {
                    timer.schedule(() -> resume(peer, next), GAP_RERUN_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    health.endOrContinue(key);
                    takeWaiters(key).forEach(w -> w.complete(skipped(peer, next, "shutting down")));
                }
                return;
            }
        }
    }

    /** Runs the delayed follow-up round, for the strongest reason asked meanwhile (a /sync/now in the delay, say). */
    private void resume(Peer peer, Trigger delayed) {
        // Asks made during the delay are answered by this round, which starts after them: not by one more after it.
        // (An ask between these two lines sets the flag again and gets one more round; none is lost.)
        health.startingNow(peer.key());
        Trigger asked = nextTrigger.remove(peer.key());
        Trigger trigger = asked == null ? delayed : stronger(delayed, asked);
        try {
            workers.execute(() -> runRounds(peer, trigger));
        } catch (RejectedExecutionException stopping) {
            health.endOrContinue(peer.key());
            takeWaiters(peer.key()).forEach(w -> w.complete(skipped(peer, trigger, "shutting down")));
        }
    }

    private RoundReport round(Peer peer, Trigger trigger) {
        long start = System.nanoTime();
        String key = peer.key();
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<Exception> lastFailure = new AtomicReference<>();
        Callable<RoundOutcome> attempt = () -> {
            attempts.incrementAndGet();
            try {
                return sync.sync(peer, rounds.begin(peer, trigger));
            } catch (Exception e) {
                lastFailure.set(e);
                throw e;
            } catch (Error e) {
                // Out of memory decoding a large page, say: this attempt failed, as the breaker and retries count
                // it; left to fly, it skipped the end of the round and left the peer marked as running for good.
                RoundError failure = new RoundError(e);
                lastFailure.set(failure);
                throw failure;
            }
        };
        try {
            if (trigger == Trigger.CONNECTED || trigger == Trigger.MANUAL) {
                guards.letTrialThrough(key);
            }
            RoundOutcome outcome = trigger == Trigger.CATCH_UP
                    ? guards.callWithRetry(key, attempt)
                    : guards.callOnce(key, attempt);
            health.succeeded(key, clock.instant(), outcome);
            String line = "{} with {}: ok, pulled {}, pushed {}, conflicts {}, refused {} in {} ms";
            Object[] args = {what(trigger), label(peer), outcome.pulled(), outcome.pushed(), outcome.conflicts(),
                    outcome.rejected(), millisSince(start)};
            // SyncManager already logs every round at INFO with these counts: one line per round per peer.
            log.debug(line, args);
            return new RoundReport(peer, trigger, RoundReport.Result.COMPLETED, outcome, null, millisSince(start));
        } catch (TryAgainLater later) {
            if (!running || Thread.currentThread().isInterrupted()) {
                return skipped(peer, trigger, "stopped by shutdown");
            }
            return deferred(peer, trigger, later, start);
        } catch (CallNotPermittedException open) {
            if (attempts.get() == 0) {
                String why = "circuit breaker open after " + health.record(key).failedRounds()
                        + " failed rounds (last error: " + health.record(key).lastError() + ")";
                log.info("{} with {}: skipped, {}", what(trigger), label(peer), why);
                return skipped(peer, trigger, why);
            }
            // A trial (half-open) attempt ran and failed, which opened the breaker again before a retry.
            return failed(peer, trigger, lastFailure.get() == null ? "timed out" : describe(lastFailure.get()), start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("{} with {}: interrupted by shutdown; the next start resumes from the version vector",
                    what(trigger), label(peer));
            return skipped(peer, trigger, "interrupted by shutdown");
        } catch (Exception e) {
            if (!running) {
                log.info("{} with {}: stopped by shutdown ({}); the next start resumes from the version vector",
                        what(trigger), label(peer), describe(e));
                return skipped(peer, trigger, "stopped by shutdown");
            }
            return failed(peer, trigger, describe(e), start);
        } finally {
            rounds.end(peer);
        }
    }

    /** An {@link Error} that ended a round's attempt, carried as an exception so that it fails only the round. */
    private static final class RoundError extends RuntimeException {
        RoundError(Error cause) {
            super(cause.getClass().getSimpleName() + ": " + describe(cause), cause);
        }
    }

    /**
     * A round the peer (or this device's database) refused for now: not a failure, and not left for the next catch-up
     * either. {@link #runRounds} runs it again after the wait the peer asked for, once, however many asks come
     * meanwhile. A peer that has kept saying so for longer than {@link PeerGuards#mayDefer} allows gets a failed
     * round instead, and is left to the scheduled catch-up.
     */
    private RoundReport deferred(Peer peer, Trigger trigger, TryAgainLater later, long start) {
        Instant now = clock.instant();
        Instant since = health.record(peer.key()).deferringSince();
        if (since != null && !guards.mayDefer(since, now)) {
            return failed(peer, trigger, later.getMessage() + " (it has said try again since " + since + ")", start);
        }
        health.deferred(peer.key(), later.getMessage(), now, now.plus(later.retryAfter()));
        log.info("{} with {}: refused for now after {} ms, trying again in {} s: {}", what(trigger), label(peer),
                millisSince(start), later.retryAfter().toSeconds(), later.getMessage());
        return new RoundReport(peer, trigger, RoundReport.Result.DEFERRED, null, later.getMessage(), millisSince(start));
    }

    private RoundReport failed(Peer peer, Trigger trigger, String error, long start) {
        health.failed(peer.key(), error, clock.instant());
        log.warn("{} with {}: failed after {} ms: {}; breaker {}, {} failed rounds in a row", what(trigger),
                label(peer), millisSince(start), error, guards.breakerState(peer.key()),
                health.record(peer.key()).failedRounds());
        return new RoundReport(peer, trigger, RoundReport.Result.FAILED, null, error, millisSince(start));
    }

    /**
     * Of two reasons for the one more round after the running one, the one it runs for: an admin's request, then
     * a peer that connected (both let a trial through an open breaker), then a gap, then a change. A gap that came
     * after {@code /sync/now} made that request's round a delayed one that an open breaker skipped.
     */
    static Trigger stronger(Trigger a, Trigger b) {
        return STRONGEST_FIRST.indexOf(a) <= STRONGEST_FIRST.indexOf(b) ? a : b;
    }

    private static RoundReport skipped(Peer peer, Trigger trigger, String why) {
        return new RoundReport(peer, trigger, RoundReport.Result.SKIPPED, null, why, 0);
    }

    private void count(RoundReport report) {
        String outcome = switch (report.result()) {
            case COMPLETED -> report.outcome().rejected() > 0 ? "refusals" : "ok";
            case FAILED -> "failed";
            case DEFERRED -> "deferred";
            case SKIPPED -> "skipped";
        };
        Counter.builder(ROUNDS).tag("peer", report.peer().key()).tag("outcome", outcome)
                .tag("trigger", report.trigger().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .description("rounds with a peer, by how they ended").register(meters).increment();
    }

    /** Tells listeners how the round ended; one that fails must not stop the peer's rounds or their waiters. */
    private void announce(RoundReport report) {
        try {
            events.publishEvent(report);
        } catch (RuntimeException e) {
            log.warn("A listener of round reports failed: {}", describe(e));
        }
    }

    private List<CompletableFuture<RoundReport>> takeWaiters(String key) {
        synchronized (waiting) {
            List<CompletableFuture<RoundReport>> taken = waiting.remove(key);
            return taken == null ? List.of() : taken;
        }
    }

    private boolean unregister(String key, CompletableFuture<RoundReport> report) {
        synchronized (waiting) {
            List<CompletableFuture<RoundReport>> list = waiting.get(key);
            return list != null && list.remove(report);
        }
    }

    private static void complete(CompletableFuture<RoundReport> report, RoundReport value) {
        if (report != null) {
            report.complete(value);
        }
    }

    /** Runs {@code task} now and then {@code delay} after each run ends, until cancelled or stopped. */
    ScheduledFuture<?> repeat(Duration delay, Runnable task) {
        return timer.scheduleWithFixedDelay(guarded(task), 0, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} once after {@code delay} on the runner's timer; nothing once the runner is stopping. */
    public void later(Duration delay, Runnable task) {
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
        return switch (trigger) {
            case CATCH_UP -> "Catch-up";
            case CHANGE -> "Change push";
            case CONNECTED -> "Catch-up on connect";
            case GAP -> "Catch-up after a gossip gap";
            case MANUAL -> "Sync now";
        };
    }

    private static String label(Peer peer) {
        String at = peer.url() == null ? "over libp2p" : peer.url().toString();
        return peer.name() == null ? peer.key() + " (" + at + ")" : peer.name() + " " + peer.key() + " (" + at + ")";
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
        synchronized (waiting) {
            // Rounds that never ran: whoever waits is answered rather than left hanging.
            waiting.values().forEach(list -> list.forEach(w -> w.completeExceptionally(
                    new java.util.concurrent.CancellationException("shutting down"))));
            waiting.clear();
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
