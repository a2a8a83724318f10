package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * A peer as DHT messages carry it: its id, the addresses the sender knows for it, and whether the sender is
 * connected to it.
 *
 * @param addrs addresses without {@code /p2p}; may be empty
 */
public record KadPeer(PeerId id, List<Multiaddr> addrs, Connectedness connection) {

    /** The spec's ConnectionType, with its wire codes. */
    public enum Connectedness {
        NOT_CONNECTED, CONNECTED, CAN_CONNECT, CANNOT_CONNECT;

        static Connectedness fromCode(int code) {
            return code >= 0 && code < values().length ? values()[code] : NOT_CONNECTED;
        }
    }

    public KadPeer {
        Objects.requireNonNull(id, "id");
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
        connection = connection == null ? Connectedness.NOT_CONNECTED : connection;
    }
}
