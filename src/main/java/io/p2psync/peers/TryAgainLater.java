package io.p2psync.peers;

import java.time.Duration;

/**
 * A round that stopped on a refusal for now ({@link io.p2psync.sync.TryAgain}): the peer asked to be called again
 * later, or this device could not apply what it pulled yet. Neither side is failing: the peer's breaker does not
 * count it, a retry waits {@link #retryAfter()}, and {@link PeerRunner} runs the round again then.
 */
public final class TryAgainLater extends Exception {

    private final Duration retryAfter;

    public TryAgainLater(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
