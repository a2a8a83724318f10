package io.p2psync.devices;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the nonces of accepted requests for as long as their timestamp is inside the accepted window,
 * so a captured request cannot be sent twice. Bounded: when full it forgets the oldest nonce and from then
 * on refuses every request signed at or before that nonce's timestamp, so forgetting never opens a replay.
 * Thread-safe.
 */
final class NonceCache {

    enum Result { FRESH, REUSED, TOO_OLD }

    private final int capacity;
    private final long windowMillis;
    /** key (device + nonce) to the request's timestamp in ms, in insertion order. */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();
    private long floorMillis = Long.MIN_VALUE;

    NonceCache(int capacity, Duration window) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.windowMillis = window.toMillis();
    }

    /** Records the nonce unless it was seen before; the caller has already checked the timestamp window. */
    synchronized Result use(String device, String nonce, Instant timestamp, Instant now) {
        long ts = timestamp.toEpochMilli();
        if (ts <= floorMillis) {
            return Result.TOO_OLD;
        }
        purgeExpired(now.toEpochMilli());
        String key = device + ' ' + nonce;
        if (seen.putIfAbsent(key, ts) != null) {
            return Result.REUSED;
        }
        while (seen.size() > capacity) {
            Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
            floorMillis = Math.max(floorMillis, oldest.next().getValue());
            oldest.remove();
        }
        return Result.FRESH;
    }

    synchronized int size() {
        return seen.size();
    }

    private void purgeExpired(long nowMillis) {
        // Insertion order is roughly timestamp order; stopping at the first live entry keeps this O(1)
        // amortised, and a stray expired entry further in only costs memory until it reaches the head.
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() + windowMillis < nowMillis) {
                it.remove();
            } else {
                return;
            }
        }
    }
}
