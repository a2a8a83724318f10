package io.p2psync.p2p.kad;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses this node has heard for peers: from identify and from peers named in DHT answers (the spec's
 * "peerbook"). Bounded in peers and in addresses per peer, and forgotten an hour after last heard. Only addresses
 * a host can dial are kept: TCP, and QUIC v1. Thread-safe.
 */
final class AddressBook {

    static final int MAX_PEERS = 10_000;
    static final int MAX_ADDRS_PER_PEER = 16;
    static final Duration TTL = Duration.ofHours(1);

    private final Cache<PeerId, List<Multiaddr>> addrs = Caffeine.newBuilder().maximumSize(MAX_PEERS)
            .expireAfterWrite(TTL).build();

    /** Adds what was heard for {@code peer}, newest first; addresses that cannot be dialled are left out. */
    void add(PeerId peer, List<Multiaddr> heard) {
        List<Multiaddr> usable = heard.stream().map(Multiaddr::withoutPeerId).filter(AddressBook::dialable).toList();
        if (usable.isEmpty()) {
            return;
        }
        addrs.asMap().compute(peer, (p, old) -> {
            Set<Multiaddr> merged = new LinkedHashSet<>(usable);
            if (old != null) {
                merged.addAll(old);
            }
            return merged.stream().limit(MAX_ADDRS_PER_PEER).toList();
        });
    }

    /** The addresses known for {@code peer}, newest first; empty if none. */
    List<Multiaddr> get(PeerId peer) {
        List<Multiaddr> known = addrs.getIfPresent(peer);
        return known == null ? List.of() : known;
    }

    /**
     * A TCP or QUIC address of an IP or name, or a circuit address through such a relay
     * ({@code …/p2p/<relay>/p2p-circuit}): a device behind NAT is reachable at nothing else.
     */
    static boolean dialable(Multiaddr a) {
        List<Multiaddr.Component> parts = a.components();
        int n = parts.size();
        if (n > 2 && parts.get(n - 1).protocol() == MultiaddrProtocol.P2P_CIRCUIT
                && parts.get(n - 2).protocol() == MultiaddrProtocol.P2P) {
            return dialable(new Multiaddr(parts.subList(0, n - 2)));
        }
        try {
            if (a.isQuic()) {
                a.toQuicSocketAddress();
                return true;
            }
            return a.components().size() == 2 && a.toTcpSocketAddress() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
