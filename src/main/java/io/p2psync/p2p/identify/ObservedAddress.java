package io.p2psync.p2p.identify;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The binary multiaddr of a TCP peer address ({@code /ip4/…/tcp/…} or {@code /ip6/…/tcp/…}), for the
 * observedAddr field. A stop-gap until {@code p2p.core.Multiaddr} (written on the transport branch) is on
 * main; then this becomes {@code Multiaddr.fromSocketAddress(address).toBytes()}.
 */
final class ObservedAddress {

    // multicodec codes (multiformats/multiaddr protocols.csv); each fits one varint byte
    private static final int IP4 = 0x04;
    private static final int IP6 = 0x29;
    private static final int TCP = 0x06;

    private ObservedAddress() {
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
