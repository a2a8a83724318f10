package io.p2psync.p2p.relay;

import java.time.Duration;

/**
 * What a relay grants.
 *
 * @param maxReservations reservations held at once; a new peer past it is refused with {@code RESERVATION_REFUSED}
 * @param reservationTtl how long a reservation lasts; the client renews it before then
 * @param maxCircuits circuits open at once through this relay; past it {@code RESOURCE_LIMIT_EXCEEDED}
 * @param maxCircuitsPerPeer circuits open at once from or to one peer
 * @param circuit the time and byte limits of each circuit
 */
public record RelayLimits(int maxReservations, Duration reservationTtl, int maxCircuits, int maxCircuitsPerPeer,
        CircuitLimit circuit) {

    /** 32 reservations of 1 h, 16 circuits (4 per peer) of at most 1 h and 1 GiB each way. */
    public static final RelayLimits DEFAULT = new RelayLimits(32, Duration.ofHours(1), 16, 4,
            new CircuitLimit(Duration.ofHours(1), 1L << 30));

    public RelayLimits {
        if (maxReservations < 0 || maxCircuits < 0 || maxCircuitsPerPeer < 0) {
            throw new IllegalArgumentException("relay limits must not be negative");
        }
        if (reservationTtl == null || reservationTtl.getSeconds() < 1) {
            throw new IllegalArgumentException("a reservation lasts at least a second");
        }
        if (circuit == null) {
            throw new IllegalArgumentException("a relay needs circuit limits (CircuitLimit.NONE for none)");
        }
    }
}
