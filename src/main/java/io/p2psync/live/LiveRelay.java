package io.p2psync.live;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.relay.CircuitLimit;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.RelayLimits;
import io.p2psync.p2p.relay.RelayServer;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part in circuit relay v2: a relay for its authorized devices (if {@code p2psync.libp2p.relay.serve}),
 * the client that dials {@code /p2p-circuit} addresses and accepts circuits, and the reservations kept on the relays
 * of {@code p2psync.libp2p.relay.reserve-on}.
 */
final class LiveRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);

    private final Host host;
    private final RelayClient client;
    private final RelayServer server;
    private boolean offered;

    private final Set<PeerId> configured;

    private LiveRelay(Host host, RelayClient client, RelayServer server, Set<PeerId> configured) {
        this.host = host;
        this.client = client;
        this.server = server;
        this.offered = server != null;
        this.configured = Set.copyOf(configured);
    }

    /** @param circuitAddressesChanged called when this node got a reservation on a relay it held none on */
    static LiveRelay start(Host host, PrivateKey key, RelaySettings settings, Predicate<PeerId> authorized,
            Runnable circuitAddressesChanged) {
        RelayServer server = null;
        if (settings.serve()) {
            RelayLimits limits = new RelayLimits(settings.maxReservations(), settings.reservationTtl(),
                    settings.maxCircuits(), settings.maxCircuitsPerPeer(),
                    new CircuitLimit(settings.circuitDuration(), settings.circuitData().toBytes()));
            server = new RelayServer(host, key, limits, authorized, authorized, Clock.systemUTC());
            host.addProtocol(server);
        }
        RelayClient client = RelayClient.install(host, Clock.systemUTC(), settings.retryInterval());
        client.onCircuitAddressesChanged(circuitAddressesChanged);
        Set<PeerId> configured = new HashSet<>();
        for (String relay : settings.reserveOn()) {
            try {
                Multiaddr address = Multiaddr.parse(relay);
                if (address.peerId().isEmpty()) {
                    throw new IllegalArgumentException("it does not end in /p2p/<relay>");
                }
                client.keep(address);
                configured.add(address.peerId().get());
            } catch (IllegalArgumentException e) {
                log.warn("not reserving on relay {}: {}", relay, e.getMessage());
            }
        }
        return new LiveRelay(host, client, server, configured);
    }

    /** The client that holds this node's reservations and opens its circuits. */
    RelayClient client() {
        return client;
    }

    /** The relays of {@code reserve-on}, which the automatic relay leaves alone. */
    Set<PeerId> configured() {
        return configured;
    }

    /** This node's circuit addresses (each ending in {@code /p2p-circuit}), one per relay address it holds a slot on. */
    List<Multiaddr> circuitAddresses() {
        return client.circuitAddresses();
    }

    /** The relays this node holds a reservation on: its coordinators, in the registry's terms. */
    List<io.p2psync.p2p.core.PeerId> reservedOn() {
        return client.reservations().stream().map(io.p2psync.p2p.relay.Reservation::relay).distinct().toList();
    }

    /**
     * Offers the hop protocol (with {@code relay.serve}) only while this node is not known to be unreachable: a
     * relay that nobody outside its NAT can dial gives its users circuit addresses nobody can dial either, so a node
     * AutoNAT finds {@code PRIVATE} stops announcing it, and other devices' automatic relay passes it over (as
     * go-libp2p does). Reservations and circuits already open run on until they end.
     *
     * @return true if the offer changed (then identify should be pushed)
     */
    synchronized boolean offerHop(boolean reachable) {
        if (server == null || reachable == offered) {
            return false;
        }
        offered = reachable;
        if (reachable) {
            host.addProtocol(server);
        } else {
            host.removeProtocol(server);
        }
        log.info("relay: {} the hop protocol now: this node is {} from outside", reachable ? "offering" : "not offering",
                reachable ? "reachable" : "not reachable");
        return true;
    }

    Optional<RelayServer> server() {
        return Optional.ofNullable(server);
    }

    @Override
    public void close() {
        client.close();
    }
}
