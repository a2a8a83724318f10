package io.p2psync.peers;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The resilience4j guards kept per peer: a {@link TimeLimiter} on each attempt, a {@link CircuitBreaker}
 * over the latest attempts, and a {@link Retry} with exponential backoff and jitter inside one round. They
 * are made from the registries with the settings of {@link CatchUpSettings}, named {@code peer-<key>}, so
 * they also show up in the resilience4j metrics.
 *
 * <p>Order: retry around breaker around time limiter, so every timed-out or failed attempt counts in the
 * breaker, and an open breaker ends the retries at once ({@link CallNotPermittedException} is not retried). An
 * attempt that ended in {@link TryAgainLater} (the peer asked to be called again later) is neither counted by the
 * breaker nor retried here: {@link PeerRunner} runs the round again after the wait the peer asked for.
 * Calls block the calling thread; the attempt itself runs on a thread of this class so the time limit can
 * interrupt it.
 */
@Component
public class PeerGuards implements AutoCloseable {

    private final CatchUpSettings settings;
    private final RetryRegistry retries;
    private final CircuitBreakerRegistry breakers;
    private final TimeLimiterRegistry limiters;
    private final Clock clock;
    private final Map<String, Instant> retryAt = new ConcurrentHashMap<>();
    private final Map<String, Retry> retryByPeer = new ConcurrentHashMap<>();
    private final ExecutorService attempts = Executors.newCachedThreadPool(daemonThreads("peer-sync-attempt-"));
    /**
     * One attempt with a peer at a time: an attempt that ran out of time is interrupted, but it stops only at its
     * next page; the next attempt waits for it, within its own time limit, instead of running beside it.
     */
    private final Map<String, Semaphore> turns = new ConcurrentHashMap<>();

    @Autowired
    PeerGuards(CatchUpSettings settings, RetryRegistry retries, CircuitBreakerRegistry breakers,
               TimeLimiterRegistry limiters) {
        this(settings, retries, breakers, limiters, Clock.systemUTC());
    }

    PeerGuards(CatchUpSettings settings, RetryRegistry retries, CircuitBreakerRegistry breakers,
               TimeLimiterRegistry limiters, Clock clock) {
        this.settings = settings;
        this.retries = retries;
        this.breakers = breakers;
        this.limiters = limiters;
        this.clock = clock;
    }

    /**
     * Runs {@code attempt} under all three guards of the peer, retrying failed attempts with backoff.
     *
     * @throws CallNotPermittedException if the peer's breaker is open (the attempt did not run)
     * @throws java.util.concurrent.TimeoutException if the last attempt ran out of time
     * @throws Exception what the last attempt threw
     */
    public <T> T callWithRetry(String peerKey, Callable<T> attempt) throws Exception {
        Callable<T> guarded = CircuitBreaker.decorateCallable(breaker(peerKey), limited(peerKey, attempt));
        try {
            return Retry.decorateCallable(retry(peerKey), guarded).call();
        } finally {
            retryAt.remove(peerKey);
        }
    }

    /** Runs {@code attempt} once under the peer's breaker and time limit (for the quick push after a change). */
    public <T> T callOnce(String peerKey, Callable<T> attempt) throws Exception {
        return CircuitBreaker.decorateCallable(breaker(peerKey), limited(peerKey, attempt)).call();
    }

    /**
     * Whether a peer that has said "try again later" since {@code since} is still asked again when it said: for up to
     * one catch-up interval. Past that, its rounds count as failed, and the scheduled catch-up goes on asking it.
     */
    public boolean mayDefer(Instant since, Instant now) {
        return now.isBefore(since.plus(settings.interval()));
    }

    /** The state of the peer's breaker; {@code CLOSED} for a peer never called. */
    public CircuitBreaker.State breakerState(String peerKey) {
        return breaker(peerKey).getState();
    }

    /**
     * Lets one trial attempt through an open breaker now instead of after its open duration: for a sign that
     * the peer is back (it connected) or an admin's explicit request. A closed or half-open breaker is left as
     * it is; the trial's result closes or opens it again as usual.
     */
    public void letTrialThrough(String peerKey) {
        CircuitBreaker breaker = breaker(peerKey);
        if (breaker.getState() == CircuitBreaker.State.OPEN) {
            breaker.transitionToHalfOpenState();
        }
    }

    /** When the next retry of a running call starts, if one is waiting. */
    public Optional<Instant> retryAt(String peerKey) {
        return Optional.ofNullable(retryAt.get(peerKey));
    }

    static String name(String peerKey) {
        return "peer-" + peerKey;
    }

    CircuitBreaker breaker(String peerKey) {
        CatchUpSettings.Breaker b = settings.breaker();
        return breakers.circuitBreaker(name(peerKey), () -> CircuitBreakerConfig.custom()
                .slidingWindow(b.windowSize(), b.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(b.openDuration())
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // a peer that asks to be called again later works: it neither fails nor succeeds in the window
                .ignoreExceptions(TryAgainLater.class)
                .build());
    }

    Retry retry(String peerKey) {
        return retryByPeer.computeIfAbsent(peerKey, key -> {
            CatchUpSettings.Retry r = settings.retry();
            Retry retry = retries.retry(name(key), () -> RetryConfig.custom()
                    .maxAttempts(r.maxAttempts())
                    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                            r.initialBackoff(), r.multiplier(), r.jitter(), r.maxBackoff()))
                    .retryExceptions(Exception.class)
                    // a peer that asks to be called later is asked again by PeerRunner, once, when it said
                    .ignoreExceptions(CallNotPermittedException.class, TryAgainLater.class)
                    .build());
            retry.getEventPublisher().onRetry(
                    event -> retryAt.put(key, clock.instant().plus(event.getWaitInterval())));
            return retry;
        });
    }

    private <T> Callable<T> limited(String peerKey, Callable<T> attempt) {
        TimeLimiter limiter = limiters.timeLimiter(name(peerKey), () -> TimeLimiterConfig.custom()
                .timeoutDuration(settings.attemptTimeout())
                .cancelRunningFuture(true)
                .build());
        Semaphore turn = turns.computeIfAbsent(peerKey, k -> new Semaphore(1));
        Callable<T> alone = () -> {
            turn.acquire(); // interrupted, like the attempt, when the time limit runs out
            try {
                return attempt.call();
            } finally {
                turn.release();
            }
        };
        return () -> limiter.executeFutureSupplier(() -> attempts.submit(alone));
    }

    /** Interrupts attempts still running (after the callers were given their time) and waits for them briefly. */
    @Override
    public void close() throws InterruptedException {
        attempts.shutdownNow();
        attempts.awaitTermination(5, TimeUnit.SECONDS);
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
