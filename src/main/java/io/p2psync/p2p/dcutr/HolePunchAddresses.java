package io.p2psync.p2p.dcutr;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses a side sends in its CONNECT and which of the peer's it dials. Only TCP over IPv4 or IPv6 takes
 * part: circuit addresses are what is being replaced, names cannot be punched, and QUIC would need the spec's
 * random-UDP-packet step, which is not built.
 */
final class HolePunchAddresses {

    /** The most addresses sent or dialled in one attempt; far below what fits in a 4 KiB message. */
    static final int MAX_ADDRESSES = 16;

    private HolePunchAddresses() {
    }

    /**
     * What this side sends: first each public address it was seen at (identify's observed addresses, whose IP the
     * NAT shows) with {@code punchPort}, the port it dials from in this attempt — a NAT that keeps a connection's
     * source port when it can (Linux's MASQUERADE, most home routers) shows the peer exactly that — then the
     * observed addresses themselves and its listen addresses, which work where there is no NAT in between.
     */
    static List<Multiaddr> advertised(int punchPort, List<Multiaddr> observed, List<Multiaddr> listen) {
        Set<Multiaddr> out = new LinkedHashSet<>();
        for (Multiaddr address : observed) {
            if (dialable(address)) {
                out.add(withPort(address, punchPort));
            }
        }
        observed.stream().filter(HolePunchAddresses::dialable).forEach(out::add);
        listen.stream().filter(HolePunchAddresses::dialable).forEach(out::add);
        return out.stream().limit(MAX_ADDRESSES).toList();
    }

    /** The peer's addresses this side dials: TCP over an IP address, each once, at most {@link #MAX_ADDRESSES}. */
    static List<Multiaddr> toDial(List<Multiaddr> sent) {
        return sent.stream().map(Multiaddr::withoutPeerId).filter(HolePunchAddresses::dialable).distinct()
                .limit(MAX_ADDRESSES).toList();
    }

    /** A free TCP port to dial from in one attempt, and to tell the peer about. */
    static int freePort() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port to dial from", e);
        }
    }

    private static boolean dialable(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        if (parts.size() != 2 || parts.get(1).protocol() != MultiaddrProtocol.TCP) {
            return false; // /p2p-circuit, /quic-v1, /ws, /http and the like
        }
        MultiaddrProtocol ip = parts.get(0).protocol();
        if (ip != MultiaddrProtocol.IP4 && ip != MultiaddrProtocol.IP6) {
            return false;
        }
        Optional<Integer> port = parsePort(parts.get(1).value());
        return port.isPresent() && port.get() > 0 && !isUnspecified(parts.get(0).value());
    }

    private static boolean isUnspecified(String ip) {
        return ip.equals("0.0.0.0") || ip.equals("::");
    }

    private static Optional<Integer> parsePort(String value) {
        try {
            return Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Multiaddr withPort(Multiaddr address, int port) {
        List<Multiaddr.Component> parts = new ArrayList<>(address.components().subList(0, 1));
        parts.add(new Multiaddr.Component(MultiaddrProtocol.TCP, Integer.toString(port)));
        return new Multiaddr(parts);
    }
}
