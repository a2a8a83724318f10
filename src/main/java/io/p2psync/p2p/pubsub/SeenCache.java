package io.p2psync.p2p.pubsub;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of messages observed recently (gossipsub-v1.0.md, "Message Cache": the {@code seen} cache): a message
 * seen within the TTL is neither delivered nor forwarded again, and is not requested by IWANT. Entries expire
 * {@code ttl} after they were first seen; the clock is injected so tests can move time. Not thread-safe: the
 * router guards it.
 */
final class SeenCache {

    private final Duration ttl;
    private final Clock clock;
    /** Insertion order is expiry order, since every entry lives exactly {@code ttl}. */
    private final LinkedHashMap<MessageId, Instant> firstSeen = new LinkedHashMap<>();

    SeenCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Marks {@code id} seen; false if it already was (within the TTL), true if it is new. */
    boolean add(MessageId id) {
        expire();
        return firstSeen.putIfAbsent(id, clock.instant()) == null;
    }

    boolean contains(MessageId id) {
        expire();
        return firstSeen.containsKey(id);
    }

    int size() {
        expire();
        return firstSeen.size();
    }

    private void expire() {
        Instant cutoff = clock.instant().minus(ttl);
        Iterator<Map.Entry<MessageId, Instant>> it = firstSeen.entrySet().iterator();
        while (it.hasNext() && !it.next().getValue().isAfter(cutoff)) {
            it.remove();
        }
    }
}
