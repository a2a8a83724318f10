package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.PeerId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The Kademlia routing table: peers in k-buckets by the length of the prefix their key shares with this node's
 * (kad-dht spec, "Kademlia routing table"). Bucket {@code i} holds peers whose key shares exactly {@code i}
 * leading bits with this node's, so bucket 0 holds the farthest half of the key space. This is the spec's
 * lazily unfolded table fully unfolded: the nearest bucket of the lazy table holds the same peers as the
 * buckets from its index on here, which differs only in that this one keeps up to k per prefix length there.
 *
 * <p>A bucket keeps its peers in the order they were last seen; a full bucket keeps its old peers and refuses
 * new ones (Kademlia prefers peers that have stayed up), until a peer is removed because it failed to answer.
 * Thread-safe.
 */
public final class RoutingTable {

    private final KadKey self;
    private final int k;
    private final List<LinkedHashSet<PeerId>> buckets = new ArrayList<>(KadKey.BITS);

    public RoutingTable(PeerId self, int k) {
        this.self = KadKey.of(self);
        this.k = k;
        for (int i = 0; i < KadKey.BITS; i++) {
            buckets.add(new LinkedHashSet<>());
        }
    }

    /**
     * Adds a peer, or marks it as seen now if present.
     *
     * @return true if the peer is in the table afterwards; false if its bucket is full (or it is this node)
     */
    public synchronized boolean add(PeerId peer) {
        int cpl = self.commonPrefixLength(KadKey.of(peer));
        if (cpl >= KadKey.BITS) {
            return false;
        }
        LinkedHashSet<PeerId> bucket = buckets.get(cpl);
        if (bucket.remove(peer)) {
            bucket.add(peer);
            return true;
        }
        if (bucket.size() >= k) {
            return false;
        }
        bucket.add(peer);
        return true;
    }

    /** Removes a peer (it failed to answer, or stopped serving the protocol); false if it was not there. */
    public synchronized boolean remove(PeerId peer) {
        int cpl = self.commonPrefixLength(KadKey.of(peer));
        return cpl < KadKey.BITS && buckets.get(cpl).remove(peer);
    }

    public synchronized boolean contains(PeerId peer) {
        int cpl = self.commonPrefixLength(KadKey.of(peer));
        return cpl < KadKey.BITS && buckets.get(cpl).contains(peer);
    }

    /** The {@code n} peers nearest to {@code target}, nearest first; fewer if the table holds fewer. */
    public List<PeerId> closest(KadKey target, int n) {
        List<PeerId> all = peers();
        Comparator<KadKey> order = KadKey.byDistanceTo(target);
        all.sort((a, b) -> order.compare(KadKey.of(a), KadKey.of(b)));
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /** Every peer in the table. */
    public synchronized List<PeerId> peers() {
        List<PeerId> out = new ArrayList<>();
        buckets.forEach(out::addAll);
        return out;
    }

    public synchronized int size() {
        return buckets.stream().mapToInt(LinkedHashSet::size).sum();
    }

    /** Peers in the bucket of prefix length {@code cpl}. */
    public synchronized int bucketSize(int cpl) {
        return buckets.get(cpl).size();
    }

    /** The longest prefix length whose bucket holds a peer; -1 for an empty table. */
    public synchronized int deepestBucket() {
        for (int i = KadKey.BITS - 1; i >= 0; i--) {
            if (!buckets.get(i).isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    /** This node's own key. */
    public KadKey self() {
        return self;
    }
}
