package io.p2psync.live;

import io.p2psync.devices.Device;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Passes over the paired devices that are not connected, trying each in turn. One pass runs at a time: a pass asked
 * for while one runs is run once more after it (dials and DHT lookups block for seconds, and passes must not pile up
 * behind each other on the live node's few threads). A device that could not be reached waits before it is tried
 * again, {@link #FIRST_WAIT} and then twice as long each time up to {@link #LONGEST_WAIT}, so a device that is away for
 * days costs a lookup and a log line every few minutes, not every pass; when it comes back, it looks this node up
 * itself. A device that connected, or that was just added or authorized ({@link #tryNow}), waits no more, nor does any
 * once the DHT can answer ({@link #tryAllNow}).
 */
final class PairedDeviceReach {

    static final Duration FIRST_WAIT = LiveNode.REACH_INTERVAL;
    static final Duration LONGEST_WAIT = Duration.ofMinutes(5);

    private final Supplier<List<Device>> paired;
    private final Predicate<PeerId> connected;
    private final Predicate<Device> reach;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final Map<PeerId, Wait> waits = new ConcurrentHashMap<>();

    /** Until when a device is not tried, and how long it waited last. */
    private record Wait(Instant until, Duration length) {
    }

    /**
     * @param paired the devices to keep connected
     * @param connected whether a connection to a peer is up
     * @param reach tries to connect to a device (blocking); answers whether a connection is up
     */
    PairedDeviceReach(Supplier<List<Device>> paired, Predicate<PeerId> connected, Predicate<Device> reach, Clock clock) {
        this.paired = paired;
        this.connected = connected;
        this.reach = reach;
        this.clock = clock;
    }

    /** One pass over the devices not connected whose wait is over; blocking. */
    void pass() {
        again.set(true);
        // whoever holds "running" runs until no pass is asked for; one asked for just as it let go is taken here
        while (again.get() && running.compareAndSet(false, true)) {
            try {
                while (again.getAndSet(false)) {
                    runPass();
                }
            } finally {
                running.set(false);
            }
        }
    }

    /** {@code device} was added or authorized: its next try is not held back. */
    void tryNow(PeerId device) {
        waits.remove(device);
    }

    /** Something changed for every device (the DHT can answer now): no try is held back. */
    void tryAllNow() {
        waits.clear();
    }

    private void runPass() {
        for (Device device : paired.get()) {
            PeerId id = device.deviceId();
            if (connected.test(id)) {
                waits.remove(id);
                continue;
            }
            Wait wait = waits.get(id);
            if (wait != null && clock.instant().isBefore(wait.until())) {
                continue;
            }
            if (reach.test(device)) {
                waits.remove(id);
            } else {
                Duration length = wait == null ? FIRST_WAIT : min(wait.length().multipliedBy(2), LONGEST_WAIT);
                waits.put(id, new Wait(clock.instant().plus(length), length));
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
