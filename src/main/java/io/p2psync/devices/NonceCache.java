package io.p2psync.devices;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the nonces of accepted requests, per device, for as long as their timestamp is inside the accepted
 * window, so a captured request cannot be sent twice.
 *
 * <p>Bounded per device and in total. When a device's share is full, the device's oldest nonce is forgotten
 * and from then on that device's requests signed at or before that nonce's timestamp are refused
 * ({@link Result#TOO_OLD}), so forgetting never opens a replay. Each device has its own such floor: what one
 * device sends never raises another's. The total bound only matters when more devices are each at their share
 * than {@code total / perDevice}; then the device holding the most nonces gives up its oldest.
 *
 * <p>Only authorized devices whose signature verified are recorded (the caller's contract), so the number of
 * devices held is at most the number of authorized devices. Thread-safe.
 */
final class NonceCache {

    enum Result { FRESH, REUSED, TOO_OLD }

    private final int perDevice;
    private final int total;
    private final long windowMillis;
    private final Map<String, DeviceNonces> devices = new HashMap<>();
    private int size;

    NonceCache(int perDevice, int total, Duration window) {
        if (perDevice < 1 || total < 1) {
            throw new IllegalArgumentException("capacities must be positive");
        }
        this.perDevice = perDevice;
        this.total = total;
        this.windowMillis = window.toMillis();
    }

    /**
     * Records the nonce of {@code device} unless it was seen before; the caller has already checked the
     * timestamp window.
     */
    synchronized Result use(String device, String nonce, Instant timestamp, Instant now) {
        long ts = timestamp.toEpochMilli();
        long expiredBefore = now.toEpochMilli() - windowMillis;
        DeviceNonces nonces = devices.computeIfAbsent(device, d -> new DeviceNonces());
        if (ts <= nonces.floorMillis) {
            return Result.TOO_OLD;
        }
        size -= nonces.purgeBefore(expiredBefore);
        if (nonces.seen.putIfAbsent(nonce, ts) != null) {
            return Result.REUSED;
        }
        size++;
        if (nonces.seen.size() > perDevice) {
            nonces.forgetOldest();
            size--;
        }
        if (size > total) {
            purgeAll(expiredBefore);
        }
        while (size > total) {
            largest().forgetOldest();
            size--;
        }
        return Result.FRESH;
    }

    /** How many nonces are remembered, over every device. */
    synchronized int size() {
        return size;
    }

    /** How many devices have nonces or a floor remembered. */
    synchronized int devices() {
        return devices.size();
    }

    private void purgeAll(long expiredBefore) {
        Iterator<DeviceNonces> it = devices.values().iterator();
        while (it.hasNext()) {
            DeviceNonces nonces = it.next();
            size -= nonces.purgeBefore(expiredBefore);
            // A floor inside the expired part refuses nothing the window does not refuse already.
            if (nonces.seen.isEmpty() && nonces.floorMillis < expiredBefore) {
                it.remove();
            }
        }
    }

    private DeviceNonces largest() {
        DeviceNonces largest = null;
        for (DeviceNonces nonces : devices.values()) {
            if (largest == null || nonces.seen.size() > largest.seen.size()) {
                largest = nonces;
            }
        }
        return largest;
    }

    /** One device's remembered nonces (nonce to timestamp in ms, in arrival order) and its floor. */
    private static final class DeviceNonces {
        private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();
        private long floorMillis = Long.MIN_VALUE;

        /**
         * Forgets nonces whose timestamp is before {@code millis}, from the oldest arrival on; answers how many.
         * Arrival order is roughly timestamp order, so stopping at the first live entry keeps this O(1)
         * amortised; a stray expired entry further in only costs memory until it reaches the head.
         */
        int purgeBefore(long millis) {
            int removed = 0;
            Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
            while (it.hasNext() && it.next().getValue() < millis) {
                it.remove();
                removed++;
            }
            return removed;
        }

        void forgetOldest() {
            Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
            floorMillis = Math.max(floorMillis, oldest.next().getValue());
            oldest.remove();
        }
    }
}
