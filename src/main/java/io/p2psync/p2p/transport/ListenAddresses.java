package io.p2psync.p2p.transport;

import io.netty.channel.Channel;
import io.p2psync.p2p.core.Multiaddr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** The addresses a bound listener, TCP or QUIC, can be reached on. */
public final class ListenAddresses {

    private ListenAddresses() {
    }

    /**
     * The listener's own address, or for a wildcard bind ({@code 0.0.0.0}, {@code ::}) every address of the
     * requested family on an interface that is up, in the form of {@code requested} (TCP or QUIC) with the
     * bound port. The family comes from {@code requested}, since the JDK binds {@code 0.0.0.0} as a
     * dual-stack {@code ::} socket.
     *
     * @param server a bound TCP server channel or UDP socket
     * @param requested the address it was asked to bind
     */
    public static List<Multiaddr> of(Channel server, Multiaddr requested) {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        InetAddress wanted = socketAddress(requested).getAddress();
        List<Multiaddr> out = new ArrayList<>();
        for (InetAddress ip : reachable(wanted)) {
            InetSocketAddress socket = new InetSocketAddress(ip, port);
            out.add(requested.isQuic() ? Multiaddr.quicFromSocketAddress(socket) : Multiaddr.fromSocketAddress(socket));
        }
        return out;
    }

    /**
     * The QUIC address {@code quic} with the port of a bound TCP {@code server} on the same IP, if {@code quic}
     * asks for port 0 and the server is TCP; for binding both transports to one port number.
     */
    public static Optional<Multiaddr> quicOnTcpPort(Channel server, Multiaddr requested, Multiaddr quic) {
        if (requested.isQuic()) {
            return Optional.empty();
        }
        InetSocketAddress tcp = requested.toTcpSocketAddress();
        InetSocketAddress udp = quic.toQuicSocketAddress();
        if (udp.getPort() != 0 || !tcp.getAddress().equals(udp.getAddress())) {
            return Optional.empty();
        }
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        return Optional.of(Multiaddr.quicFromSocketAddress(new InetSocketAddress(udp.getAddress(), port)));
    }

    private static InetSocketAddress socketAddress(Multiaddr address) {
        return address.isQuic() ? address.toQuicSocketAddress() : address.toTcpSocketAddress();
    }

    private static List<InetAddress> reachable(InetAddress wanted) {
        if (!wanted.isAnyLocalAddress()) {
            return List.of(wanted);
        }
        boolean ip4 = wanted instanceof Inet4Address;
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress ip : Collections.list(nic.getInetAddresses())) {
                    boolean sameFamily = ip4 ? ip instanceof Inet4Address : ip instanceof Inet6Address;
                    if (sameFamily && !ip.isLinkLocalAddress()) {
                        out.add(ip);
                    }
                }
            }
        } catch (SocketException e) {
            return List.of(wanted);
        }
        return out;
    }
}
