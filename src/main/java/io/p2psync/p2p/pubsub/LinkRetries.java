package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * When to try again to open the outbound stream to a peer after a failure: after one heartbeat, then twice as
 * long each time, at most {@link #MAX_DELAY}. A peer that does not speak gossipsub is asked rarely; one whose
 * stream failed once is back within a heartbeat or two. Not thread-safe: the router guards it.
 */
final class LinkRetries {

    static final Duration MAX_DELAY = Duration.ofMinutes(5);

    private record Retry(Instant notBefore, Duration delay) {
    }

    private final Clock clock;
    private final Duration firstDelay;
    private final Map<PeerId, Retry> retries = new HashMap<>();

    LinkRetries(Clock clock, Duration firstDelay) {
        this.clock = clock;
        this.firstDelay = firstDelay;
    }

    /** Opening a stream to {@code peer} failed: the next attempt waits twice as long as the last wait. */
    void failed(PeerId peer) {
        Retry last = retries.get(peer);
        Duration delay = last == null ? firstDelay : min(last.delay().multipliedBy(2), MAX_DELAY);
        retries.put(peer, new Retry(clock.instant().plus(delay), delay));
    }

    /** True unless a failed attempt asks to wait longer. */
    boolean due(PeerId peer) {
        Retry retry = retries.get(peer);
        return retry == null || !retry.notBefore().isAfter(clock.instant());
    }

    /** The peer spoke gossipsub, connected anew or left: start afresh. */
    void clear(PeerId peer) {
        retries.remove(peer);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
