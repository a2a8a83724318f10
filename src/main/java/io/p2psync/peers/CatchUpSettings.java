package io.p2psync.peers;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * How often and how stubbornly this device catches its peers up ({@code p2psync.sync.*}).
 *
 * @param auto whether this device syncs by itself: catch-up rounds and pushes after local changes (default
 *     true; when false only {@code POST /sync/now} syncs, which tests of the manual protocol rely on)
 * @param interval time between two catch-up rounds; one round also runs at start-up (default 5 minutes)
 * @param notifyDebounce how long after a local change the healthy peers are pushed to; changes in that
 *     window travel together (default 500 ms)
 * @param attemptTimeout the time limit on one pull-then-push attempt with one peer, all pages included; what
 *     was applied before it ran out is kept (default 5 minutes; each HTTP call also has the client's own
 *     read timeout, so a hung peer is noticed sooner)
 * @param retry retries inside one round
 * @param breaker the circuit breaker kept per peer across rounds
 */
@ConfigurationProperties("p2psync.sync")
public record CatchUpSettings(Boolean auto, Duration interval, Duration notifyDebounce, Duration attemptTimeout,
                              Retry retry, Breaker breaker) {

    @ConstructorBinding
    public CatchUpSettings {
        auto = auto == null || auto;
        interval = positive(interval, Duration.ofMinutes(5), "interval");
        notifyDebounce = notifyDebounce == null ? Duration.ofMillis(500) : notifyDebounce;
        if (notifyDebounce.isNegative()) {
            throw new IllegalArgumentException("p2psync.sync.notify-debounce must not be negative");
        }
        attemptTimeout = positive(attemptTimeout, Duration.ofMinutes(5), "attempt-timeout");
        retry = retry == null ? new Retry(null, null, null, null, null) : retry;
        breaker = breaker == null ? new Breaker(null, null, null, null, null) : breaker;
        if (breaker.openDuration().compareTo(interval) > 0) {
            // A breaker that stays open longer than a round would skip a peer that came back.
            breaker = new Breaker(breaker.windowSize(), breaker.minimumCalls(), breaker.failureRatePercent(),
                    interval, breaker.halfOpenCalls());
        }
    }

    /** Settings with automatic sync on. */
    public CatchUpSettings(Duration interval, Duration notifyDebounce, Duration attemptTimeout, Retry retry,
                           Breaker breaker) {
        this(true, interval, notifyDebounce, attemptTimeout, retry, breaker);
    }

    /** All defaults. */
    public static CatchUpSettings defaults() {
        return new CatchUpSettings(null, null, null, null, null, null);
    }

    /**
     * Retries of one attempt inside a round: exponential backoff with jitter.
     *
     * @param maxAttempts attempts per round, the first included (default 3)
     * @param initialBackoff wait before the second attempt, before jitter (default 2 s)
     * @param multiplier growth of the wait from one attempt to the next (default 2)
     * @param jitter randomization factor in [0, 1): each wait is drawn from {@code wait × (1 ± jitter)}
     *     (default 0.5)
     * @param maxBackoff cap on one wait (default 1 minute)
     */
    public record Retry(Integer maxAttempts, Duration initialBackoff, Double multiplier, Double jitter,
                        Duration maxBackoff) {
        public Retry {
            maxAttempts = maxAttempts == null ? 3 : maxAttempts;
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("p2psync.sync.retry.max-attempts must be at least 1");
            }
            initialBackoff = positive(initialBackoff, Duration.ofSeconds(2), "retry.initial-backoff");
            multiplier = multiplier == null ? 2.0 : multiplier;
            if (multiplier < 1.0) {
                throw new IllegalArgumentException("p2psync.sync.retry.multiplier must be at least 1");
            }
            jitter = jitter == null ? 0.5 : jitter;
            if (jitter < 0.0 || jitter >= 1.0) {
                throw new IllegalArgumentException("p2psync.sync.retry.jitter must be in [0, 1)");
            }
            maxBackoff = positive(maxBackoff, Duration.ofMinutes(1), "retry.max-backoff");
        }
    }

    /**
     * The circuit breaker per peer, over its latest attempts.
     *
     * @param windowSize how many latest attempts are counted (default 6)
     * @param minimumCalls attempts needed before the breaker may open (default 3)
     * @param failureRatePercent failure rate at or above which it opens (default 50)
     * @param openDuration how long it stays open before letting a trial attempt through (half-open);
     *     at most the interval, so a peer that comes back is tried next round (default 1 minute)
     * @param halfOpenCalls trial attempts that decide whether it closes again (default 1)
     */
    public record Breaker(Integer windowSize, Integer minimumCalls, Integer failureRatePercent,
                          Duration openDuration, Integer halfOpenCalls) {
        public Breaker {
            windowSize = windowSize == null ? 6 : windowSize;
            minimumCalls = minimumCalls == null ? Math.min(3, windowSize) : minimumCalls;
            failureRatePercent = failureRatePercent == null ? 50 : failureRatePercent;
            openDuration = positive(openDuration, Duration.ofMinutes(1), "breaker.open-duration");
            halfOpenCalls = halfOpenCalls == null ? 1 : halfOpenCalls;
            if (windowSize < 1 || minimumCalls < 1 || halfOpenCalls < 1) {
                throw new IllegalArgumentException("p2psync.sync.breaker sizes must be at least 1");
            }
            if (failureRatePercent < 1 || failureRatePercent > 100) {
                throw new IllegalArgumentException("p2psync.sync.breaker.failure-rate-percent must be 1 to 100");
            }
        }
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("p2psync.sync." + name + " must be positive");
        }
        return value;
    }
}
