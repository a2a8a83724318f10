package io.p2psync.live;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of circuit relay v2, under {@code p2psync.libp2p.relay}; see docs/relay.md.
 *
 * @param serve relay for this user's authorized devices (the hop protocol); other peers are refused
 * @param maxReservations reservations held at once for other devices
 * @param reservationTtl how long a reservation lasts before the device must renew it
 * @param maxCircuits circuits open at once through this node
 * @param maxCircuitsPerPeer circuits open at once from or to one device
 * @param circuitDuration a circuit is closed after this long (0 for no limit)
 * @param circuitData a circuit is closed once it carried more than this in one direction (0 for no limit)
 * @param reserveOn relays to hold a reservation on, as multiaddrs ending in {@code /p2p/<relay>}: this node is then
 *     reachable at each one's address with {@code /p2p-circuit/p2p/<this node>}, which it announces in identify
 *     and lists in {@code GET /status}
 * @param retryInterval how long after a refused or failed reservation it is tried again
 */
@ConfigurationProperties("p2psync.libp2p.relay")
public record RelaySettings(
        @DefaultValue("true") boolean serve,
        @DefaultValue("32") int maxReservations,
        @DefaultValue("1h") Duration reservationTtl,
        @DefaultValue("16") int maxCircuits,
        @DefaultValue("4") int maxCircuitsPerPeer,
        @DefaultValue("1h") Duration circuitDuration,
        @DefaultValue("1GB") DataSize circuitData,
        @DefaultValue List<String> reserveOn,
        @DefaultValue("15s") Duration retryInterval) {

    public RelaySettings {
        reserveOn = reserveOn == null ? List.of() : List.copyOf(reserveOn);
        if (maxReservations < 0 || maxCircuits < 0 || maxCircuitsPerPeer < 0) {
            throw new IllegalArgumentException("p2psync.libp2p.relay.max-reservations, max-circuits and "
                    + "max-circuits-per-peer must not be negative");
        }
        if (reservationTtl == null || reservationTtl.getSeconds() < 1) {
            throw new IllegalArgumentException("p2psync.libp2p.relay.reservation-ttl must be at least 1s");
        }
        if (circuitDuration == null || circuitDuration.isNegative() || circuitDuration.getSeconds() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("p2psync.libp2p.relay.circuit-duration must be 0 (no limit) or positive");
        }
        if (circuitData == null || circuitData.isNegative()) {
            throw new IllegalArgumentException("p2psync.libp2p.relay.circuit-data must be 0 (no limit) or positive");
        }
        if (retryInterval == null || retryInterval.toMillis() < 100) {
            throw new IllegalArgumentException("p2psync.libp2p.relay.retry-interval must be at least 100ms");
        }
    }
}
