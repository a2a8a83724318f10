package io.p2psync.p2p.autonat;

import io.p2psync.p2p.core.IpScope;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Which addresses a dial-back may go to, and which a client names. */
final class DialBackAddresses {

    private DialBackAddresses() {
    }

    /** The IP an address starts with ({@code /ip4/…} or {@code /ip6/…}, any transport); empty for any other. */
    static Optional<InetAddress> ip(Multiaddr address) {
        return address.valueOf(MultiaddrProtocol.P2P_CIRCUIT).isPresent() ? Optional.empty() : IpScope.ip(address);
    }

    /** The IP of a TCP address ({@code /ip4|ip6/…/tcp/…}, not relayed); empty for any other address. */
    static Optional<InetAddress> tcpIp(Multiaddr address) {
        if (address.isQuic() || address.valueOf(MultiaddrProtocol.P2P_CIRCUIT).isPresent()) {
            return Optional.empty();
        }
        try {
            var socket = address.toTcpSocketAddress();
            return socket.isUnresolved() ? Optional.empty() : Optional.of(socket.getAddress());
        } catch (IllegalArgumentException notTcp) {
            return Optional.empty();
        }
    }

    /**
     * The spec's amplification rule: of {@code requested}, the TCP addresses on {@code observed}'s IP (the address of
     * the requester's connection, TCP or QUIC), without
     * {@code /p2p/}, each once, at most {@code max}. Every other address is left out, so that a request cannot make
     * this node dial anyone but the requester.
     */
    static List<Multiaddr> toDial(List<Multiaddr> requested, Multiaddr observed, int max) {
        Optional<InetAddress> ip = ip(observed);
        if (ip.isEmpty()) {
            return List.of();
        }
        Set<Multiaddr> out = new LinkedHashSet<>();
        for (Multiaddr address : requested) {
            if (out.size() == max) {
                break;
            }
            if (tcpIp(address).filter(ip.get()::equals).isPresent()) {
                out.add(address.withoutPeerId());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The addresses a client asks to be dialled at: first each IP peers observe it at with each of its TCP listen
     * ports (where a router forwards the port, or there is no NAT, the node is reachable there), then the TCP listen
     * addresses themselves (reachable where the server sees the same IP, e.g. on a LAN), each once, at most
     * {@code max}. Observed addresses are not sent as they are: their port is the one a dial of this node went out
     * from, where nothing listens.
     */
    static List<Multiaddr> toAsk(List<Multiaddr> listen, List<Multiaddr> observed, int max) {
        List<Multiaddr> tcpListen = listen.stream().filter(a -> tcpIp(a).isPresent() && !a.toTcpSocketAddress()
                .getAddress().isAnyLocalAddress()).map(Multiaddr::withoutPeerId).toList();
        Set<Multiaddr> out = new LinkedHashSet<>();
        for (Multiaddr seen : observed) {
            if (ip(seen).isEmpty()) {
                continue; // observed over TCP or QUIC alike: the IP is what counts
            }
            String ip = seen.components().get(0).toString();
            for (Multiaddr own : tcpListen) {
                if (own.components().get(0).protocol() == seen.components().get(0).protocol()) {
                    out.add(Multiaddr.parse(ip + "/tcp/" + own.toTcpSocketAddress().getPort()));
                }
            }
        }
        out.addAll(tcpListen);
        return new ArrayList<>(out).subList(0, Math.min(max, out.size()));
    }
}
