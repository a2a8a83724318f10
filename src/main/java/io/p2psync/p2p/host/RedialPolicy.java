package io.p2psync.p2p.host;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;

/**
 * How a lost peer that was dialled on purpose is dialled again: exponential backoff with jitter from
 * {@code initialDelay} up to {@code maxDelay}, for at most {@code maxAttempts} attempts in a row.
 *
 * @param initialDelay the wait before the first redial
 * @param maxDelay the longest wait between two attempts
 * @param maxAttempts attempts after which the host gives up on the peer; 0 turns redialling off
 */
public record RedialPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts) {

    /** 1 s, doubling with ±50 % jitter, up to 1 min, at most 20 attempts (roughly a quarter of an hour). */
    public static final RedialPolicy DEFAULT = new RedialPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), 20);
    public static final RedialPolicy NEVER = new RedialPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

    public RedialPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0 || maxAttempts < 0) {
            throw new IllegalArgumentException("bad redial policy");
        }
    }

    /** The wait before attempt {@code attempt} (1-based). */
    Duration delay(int attempt) {
        return Duration.ofMillis(IntervalFunction.ofExponentialRandomBackoff(initialDelay, 2.0, 0.5, maxDelay).apply(attempt));
    }
}
