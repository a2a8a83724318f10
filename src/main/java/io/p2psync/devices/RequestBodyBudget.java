package io.p2psync.devices;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How many request-body bytes the sync requests being read or handled may hold at once, over all of them:
 * signed REST requests and requests on libp2p sync streams share it.
 * A request reserves its declared length (or the largest allowed body when it declares none) before a byte
 * of it is read and gives it back when it has been answered; one that does not fit is refused at once, so no
 * mix of callers, authorized or not, can make the node hold more than the budget. Thread-safe.
 */
public final class RequestBodyBudget {

    /** The gauge of bytes reserved right now. */
    static final String GAUGE = "p2psync.rest.body.reserved";

    private final long capacity;
    private long reserved;

    RequestBodyBudget(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the body budget must be positive");
        }
        this.capacity = capacity;
    }

    /** Publishes {@link #GAUGE} (bytes). */
    RequestBodyBudget register(MeterRegistry meters) {
        Gauge.builder(GAUGE, this, RequestBodyBudget::reserved).baseUnit("bytes")
                .description("Request-body bytes reserved by sync requests (REST and libp2p) being read or handled")
                .register(meters);
        return this;
    }

    /** Reserves {@code bytes} if they fit; answers false, reserving nothing, if they do not. */
    public synchronized boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative");
        }
        if (bytes > capacity - reserved) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    /** Gives back bytes reserved by {@link #tryReserve}. */
    public synchronized void release(long bytes) {
        reserved -= bytes;
    }

    synchronized long reserved() {
        return reserved;
    }

    long capacity() {
        return capacity;
    }
}
