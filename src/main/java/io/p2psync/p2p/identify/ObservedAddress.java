package io.p2psync.p2p.identify;

import io.netty.channel.Channel;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.host.Connection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The binary multiaddr of the peer's address as this side sees it, for the observedAddr field: the address of
 * the connection carrying the stream ({@code /ip4/…/tcp/…}, {@code /ip4/…/udp/…/quic-v1}), or for a stream
 * outside a host's connections the stream's own TCP peer address.
 */
final class ObservedAddress {

    private ObservedAddress() {
    }

    /** The multiaddr bytes of the peer at the other end of {@code stream}, or an empty array if unknown. */
    static byte[] of(Channel stream) {
        Connection connection = Connection.of(stream);
        return connection != null ? connection.remoteAddress().toBytes() : of(stream.remoteAddress());
    }

    /** The {@code /ip4|ip6/…/tcp/…} bytes, or an empty array for an address that is not an IP socket address. */
    static byte[] of(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return new byte[0];
        }
        return Multiaddr.fromSocketAddress(inet).toBytes();
    }
}
