package io.p2psync.live;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.kad.KadDht;
import io.p2psync.p2p.kad.KadPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peer routing for the live node: runs the Kademlia DHT on the node's host, starts it from the bootstrap peers,
 * and finds a paired device's addresses by its id when the device cannot be reached otherwise. Anyone who speaks
 * the DHT's protocol id gets answers; only authorized devices are dialled for sync, as everywhere else.
 */
final class PeerRouting {

    private static final Logger log = LoggerFactory.getLogger(PeerRouting.class);

    private final RoutingSettings settings;
    private volatile KadDht dht;
    private volatile boolean bootstrapped;
    /** Peers the last lookup did not find: an offline device is looked up every 30 s, and said so once. */
    private final Set<PeerId> notFound = ConcurrentHashMap.newKeySet();

    PeerRouting(RoutingSettings settings) {
        this.settings = settings;
    }

    /** The bootstrap peers as configured (text, possibly malformed), whether or not the DHT is on. */
    List<String> bootstrapPeers() {
        return settings.bootstrap();
    }

    /** Starts the DHT on {@code host} (unless switched off) and bootstraps it; answers when bootstrapping is done. */
    CompletableFuture<Void> start(Host host, IdentifyProtocol identify) {
        if (!settings.dht().enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        KadDht started = KadDht.start(host, identify, settings.dht().toConfig());
        dht = started;
        List<Multiaddr> peers = new ArrayList<>();
        for (String text : settings.bootstrap()) {
            try {
                peers.add(Multiaddr.parse(text));
            } catch (IllegalArgumentException e) {
                log.warn("ignoring bootstrap peer {}: {}", text, e.getMessage());
            }
        }
        return started.bootstrap(peers).whenComplete((done, failed) -> bootstrapped = true);
    }

    void stop() {
        KadDht d = dht;
        dht = null;
        bootstrapped = false;
        if (d != null) {
            d.close();
        }
    }

    /** Whether lookups can be asked: the DHT runs and its bootstrap is over (before that, nobody would be asked). */
    boolean ready() {
        return dht != null && bootstrapped;
    }

    /** The addresses the DHT finds for {@code peer}; empty if it is off or no answer names the peer. Blocking. */
    List<Multiaddr> find(PeerId peer) {
        KadDht d = dht;
        if (d == null) {
            return List.of();
        }
        try {
            Optional<KadPeer> found = d.findPeer(peer).join();
            if (found.isEmpty()) {
                if (notFound.add(peer)) {
                    log.info("the DHT does not know where {} is (further misses are logged at debug level)", peer);
                } else {
                    log.debug("the DHT still does not know where {} is", peer);
                }
                return List.of();
            }
            notFound.remove(peer);
            log.info("the DHT found {} at {}", peer, found.get().addrs());
            return found.get().addrs();
        } catch (RuntimeException e) {
            log.info("DHT lookup of {} failed: {}", peer, e.toString());
            return List.of();
        }
    }

    /**
     * Books what a peer pushed about itself (identify push), e.g. the circuit address it got on a relay, so that
     * lookups through this node find it; a push without addresses or protocols (a partial one) changes nothing.
     */
    void pushed(IdentifyInfo info) {
        KadDht d = dht;
        if (d != null && !info.listenAddrs().isEmpty() && !info.protocols().isEmpty()) {
            d.learned(info);
        }
    }

    /** The DHT, while running (for tests and diagnostics). */
    Optional<KadDht> dht() {
        return Optional.ofNullable(dht);
    }
}
