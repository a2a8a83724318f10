package io.p2psync.p2p.relay;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.time.Instant;
import java.util.List;

/**
 * A slot held on a relay.
 *
 * @param relay the relay
 * @param expires when it ends unless renewed
 * @param circuitAddresses the addresses other peers reach this one at through the relay: each of the relay's
 *     addresses with {@code /p2p/<relay>/p2p-circuit}
 * @param limit what the relay allows each circuit
 */
public record Reservation(PeerId relay, Instant expires, List<Multiaddr> circuitAddresses, CircuitLimit limit) {

    public Reservation {
        circuitAddresses = List.copyOf(circuitAddresses);
    }
}
