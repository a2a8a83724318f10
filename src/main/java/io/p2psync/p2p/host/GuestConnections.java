package io.p2psync.p2p.host;

import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound connections from peers the host does not trust ("guests"): each may stay for a grace period, long
 * enough for identify and ping, and only a few are held at once, so that peers with throwaway keys cannot
 * fill the inbound slots and keep a trusted peer out. A guest whose peer has become trusted by the end of its
 * grace period stays. Thread-safe.
 */
final class GuestConnections {

    private static final Logger log = LoggerFactory.getLogger(GuestConnections.class);

    private final Predicate<PeerId> trusted;
    private final int max;
    private final Duration grace;
    private final LogSummary<String> refusals;
    private final AtomicInteger open = new AtomicInteger();

    /** @param refusals limits the lines about guests closed past the cap; the host flushes it */
    GuestConnections(Predicate<PeerId> trusted, int max, Duration grace, LogSummary<String> refusals) {
        this.trusted = trusted;
        this.max = max;
        this.grace = grace;
        this.refusals = refusals;
    }

    /**
     * Admits an authenticated inbound connection, on its event loop.
     *
     * @return true if it may stay: its peer is trusted, or it is a guest within the cap (closed after the grace
     *     period); false if it is a guest past the cap and has been closed
     */
    boolean admit(Connection connection) {
        if (trusted.test(connection.remotePeer())) {
            return true;
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            long count = refusals.event("guest-cap");
            if (count > 0) {
                log.info("closing {}: not a trusted peer and {} guest connections are open ({} such closes since "
                        + "the last line)", connection, max, count);
            }
            connection.channel().close();
            return false;
        }
        AtomicBoolean guest = new AtomicBoolean(true);
        ScheduledFuture<?> end = connection.channel().eventLoop().schedule(() -> endOfGrace(connection, guest),
                grace.toNanos(), TimeUnit.NANOSECONDS);
        connection.channel().closeFuture().addListener(f -> {
            end.cancel(false);
            leave(guest);
        });
        log.debug("{} is a guest for {}", connection, grace);
        return true;
    }

    /** Guest connections open now. */
    int count() {
        return open.get();
    }

    private void endOfGrace(Connection connection, AtomicBoolean guest) {
        if (!connection.channel().isActive()) {
            return;
        }
        if (trusted.test(connection.remotePeer())) {
            log.debug("{} has become trusted: keeping it", connection);
            leave(guest);
            return;
        }
        log.debug("closing {}: its grace period of {} is over and the peer is not trusted", connection, grace);
        // closed at once, without go-away first: a peer that does not read could hold a go-away back for good
        connection.channel().close();
    }

    private void leave(AtomicBoolean guest) {
        if (guest.compareAndSet(true, false)) {
            open.decrementAndGet();
        }
    }
}
