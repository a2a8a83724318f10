package io.p2psync.messaging;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PEER_QUERY requests answered per peer: {@code limit} per {@code window}, the rest refused at once. One limiter
 * per authorized device (only they get this far), forgotten when it disconnects.
 */
class QueryRateLimiter {

    private final RateLimiterConfig config;
    private final Map<PeerId, RateLimiter> limiters = new ConcurrentHashMap<>();

    QueryRateLimiter(int limit, Duration window) {
        this.config = RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(window)
                .timeoutDuration(Duration.ZERO).build();
    }

    boolean tryAcquire(PeerId peer) {
        return limiters.computeIfAbsent(peer, p -> RateLimiter.of("peer-query-" + p, config)).acquirePermission();
    }

    void forget(PeerId peer) {
        limiters.remove(peer);
    }
}
