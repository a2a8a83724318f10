package io.p2psync.p2p.identify;

import io.netty.channel.Channel;
import io.p2psync.p2p.host.Connection;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The binary multiaddr of the peer's address as this side sees it, for the observedAddr field: the address of
 * the connection carrying the stream ({@code /ip4/…/tcp/…}, {@code /ip4/…/udp/…/quic-v1}), or for a stream
 * outside a host's connections the stream's own TCP peer address.
 */
final class ObservedAddress {

    // multicodec codes (multiformats/multiaddr protocols.csv); each fits one varint byte
    private static final int IP4 = 0x04;
    private static final int IP6 = 0x29;
    private static final int TCP = 0x06;

    private ObservedAddress() {
    }

    /** The multiaddr bytes of the peer at the other end of {@code stream}, or an empty array if unknown. */
    static byte[] of(Channel stream) {
        Connection connection = Connection.of(stream);
        return connection != null ? connection.remoteAddress().toBytes() : of(stream.remoteAddress());
    }

    /** The multiaddr bytes, or an empty array for an address that is not an IP socket address. */
    static byte[] of(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(21);
        if (inet.getAddress() instanceof Inet4Address) {
            out.write(IP4);
        } else if (inet.getAddress() instanceof Inet6Address) {
            out.write(IP6);
        } else {
            return new byte[0];
        }
        out.writeBytes(inet.getAddress().getAddress());
        out.write(TCP);
        out.write(inet.getPort() >>> 8);
        out.write(inet.getPort() & 0xff);
        return out.toByteArray();
    }
}
