package io.p2psync.live;

import io.p2psync.changes.EntryRef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entries being applied because they arrived by gossip. The publisher skips them: gossipsub has already
 * forwarded the original message through the mesh, so publishing a copy would only double the traffic and
 * spend the rate budget of this node at its peers. Thread-safe.
 */
final class GossipArrivals {

    private final Set<EntryRef> applying = ConcurrentHashMap.newKeySet();

    void begin(EntryRef ref) {
        applying.add(ref);
    }

    void end(EntryRef ref) {
        applying.remove(ref);
    }

    boolean contains(EntryRef ref) {
        return applying.contains(ref);
    }
}
