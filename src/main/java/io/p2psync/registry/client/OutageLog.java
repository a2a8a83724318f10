package io.p2psync.registry.client;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * One log line when the registry stops answering and one when it answers again, however many calls fail in
 * between (each further failure is logged at DEBUG only). Thread-safe.
 */
final class OutageLog {

    private final Logger log;
    private final String registry;
    /** Failed calls in the current outage; 0 while the registry answers. */
    private final AtomicLong failed = new AtomicLong();

    OutageLog(Logger log, String registry) {
        this.log = log;
        this.registry = registry;
    }

    void failed(String why) {
        if (failed.getAndIncrement() == 0) {
            log.warn("Registry at {} cannot be reached ({}); the node carries on without it and tries again with"
                    + " backoff", registry, why);
        } else {
            log.debug("Registry at {} still cannot be reached: {}", registry, why);
        }
    }

    void answered() {
        long before = failed.getAndSet(0);
        if (before > 0) {
            log.info("Registry at {} answers again, after {} failed calls", registry, before);
        }
    }

    /** Whether the registry is in an outage by this client's last call. */
    boolean down() {
        return failed.get() > 0;
    }
}
