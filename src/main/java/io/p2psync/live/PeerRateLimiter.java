package io.p2psync.live;

import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * At most {@code limit} messages per peer in each fixed window of {@code window}; the rest of a window's
 * messages are refused. Thread-safe.
 */
final class PeerRateLimiter {

    /** The answer for one message: allowed, or refused (and whether it is the first refusal of the window). */
    enum Decision { ALLOWED, FIRST_REFUSED, REFUSED }

    private static final class Window {
        long start;
        int count;
    }

    private final int limit;
    private final long windowMillis;
    private final Clock clock;
    private final Map<PeerId, Window> windows = new HashMap<>();

    PeerRateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    synchronized Decision acquire(PeerId peer) {
        long now = clock.millis();
        Window w = windows.computeIfAbsent(peer, p -> new Window());
        if (now - w.start >= windowMillis) {
            w.start = now;
            w.count = 0;
        }
        w.count++;
        if (w.count <= limit) {
            return Decision.ALLOWED;
        }
        return w.count == limit + 1 ? Decision.FIRST_REFUSED : Decision.REFUSED;
    }

    /** Forgets a peer that disconnected. */
    synchronized void forget(PeerId peer) {
        windows.remove(peer);
    }
}
