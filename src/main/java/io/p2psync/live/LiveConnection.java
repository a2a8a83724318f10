package io.p2psync.live;

import io.p2psync.p2p.host.Connection;
import java.time.Instant;

/**
 * One open libp2p connection as {@code GET /status} lists it.
 *
 * @param peer the device id (peer id) at the other end
 * @param remoteAddress its address as seen from here, e.g. {@code /ip4/192.168.1.7/udp/4001/quic-v1}
 * @param transport {@code tcp}, {@code quic}, or {@code relayed} (through a circuit relay)
 * @param direct true when the connection goes straight to the peer, false through a relay
 * @param direction {@code outbound} if this node dialled it, {@code inbound} if the peer did
 * @param since when it was opened
 */
public record LiveConnection(String peer, String remoteAddress, String transport, boolean direct, String direction,
        Instant since) {

    static LiveConnection of(Connection connection) {
        return new LiveConnection(connection.remotePeer().toString(), connection.remoteAddress().toString(),
                connection.transport().id(), connection.direct(), connection.outbound() ? "outbound" : "inbound",
                connection.openedAt());
    }
}
