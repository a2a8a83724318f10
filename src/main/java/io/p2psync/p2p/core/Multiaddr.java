package io.p2psync.p2p.core;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A multiaddr such as {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…}: a list of protocol components, each
 * with its value in canonical text form (multiaddr spec, libp2p/specs addressing/README.md).
 *
 * @param components at least one component, in order
 */
public record Multiaddr(List<Component> components) {

    /** One {@code /protocol/value} step; {@code value} is empty for protocols without one. */
    public record Component(MultiaddrProtocol protocol, String value) {
        public Component {
            if (protocol == null || value == null) {
                throw new MultiaddrException("a multiaddr component needs a protocol and a value");
            }
            value = protocol.hasValue() ? protocol.canonicalText(value) : "";
        }

        @Override
        public String toString() {
            return "/" + protocol.protocolName() + (protocol.hasValue() ? "/" + value : "");
        }
    }

    public Multiaddr {
        if (components == null || components.isEmpty()) {
            throw new MultiaddrException("empty multiaddr");
        }
        components = List.copyOf(components);
    }

    /**
     * Parses the text form.
     *
     * @throws MultiaddrException for an unknown protocol, a missing or malformed value, or bad syntax
     */
    public static Multiaddr parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new MultiaddrException("a multiaddr starts with '/': " + text);
        }
        String[] parts = text.substring(1).split("/", -1);
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                if (i == parts.length - 1 && i > 0) {
                    break; // tolerate one trailing slash
                }
                throw new MultiaddrException("empty protocol name in " + text);
            }
            MultiaddrProtocol protocol = MultiaddrProtocol.byName(parts[i]);
            if (!protocol.hasValue()) {
                out.add(new Component(protocol, ""));
                continue;
            }
            if (i + 1 >= parts.length) {
                throw new MultiaddrException("/" + protocol.protocolName() + " needs a value in " + text);
            }
            out.add(new Component(protocol, parts[++i]));
        }
        return new Multiaddr(out);
    }

    /**
     * Decodes the binary form: for each component a varint code followed by its value.
     *
     * @throws MultiaddrException for an unknown code, or truncated or malformed bytes
     */
    public static Multiaddr fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<Component> out = new ArrayList<>();
        try {
            while (in.hasRemaining()) {
                MultiaddrProtocol protocol = MultiaddrProtocol.byCode(UnsignedVarint.read(in));
                out.add(new Component(protocol, protocol.readValue(in)));
            }
        } catch (MultiaddrException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new MultiaddrException("malformed binary multiaddr: " + e.getMessage(), e);
        }
        return new Multiaddr(out);
    }

    /** The {@code /ip4|ip6/…/tcp/port} address of a socket. */
    public static Multiaddr fromSocketAddress(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        MultiaddrProtocol family = address.getAddress() instanceof Inet4Address ? MultiaddrProtocol.IP4 : MultiaddrProtocol.IP6;
        String host = family == MultiaddrProtocol.IP4 ? IpLiterals.formatIp4(ip) : IpLiterals.formatIp6(ip);
        return new Multiaddr(List.of(new Component(family, host),
                new Component(MultiaddrProtocol.TCP, Integer.toString(address.getPort()))));
    }

    /** The {@code /ip4|ip6/…/udp/port/quic-v1} address of a QUIC peer's socket. */
    public static Multiaddr quicFromSocketAddress(InetSocketAddress address) {
        List<Component> ipAndPort = fromSocketAddress(address).components;
        return new Multiaddr(List.of(ipAndPort.get(0),
                new Component(MultiaddrProtocol.UDP, ipAndPort.get(1).value()),
                new Component(MultiaddrProtocol.QUIC_V1, "")));
    }

    /**
     * True if this address names a plain QUIC endpoint: {@code /ip4|ip6|dns…/host/udp/port/quic-v1}, perhaps with
     * {@code /p2p}; not WebTransport or a circuit built on one.
     */
    public boolean isQuic() {
        int size = components.size();
        boolean plain = size == 3 || (size == 4 && components.get(3).protocol() == MultiaddrProtocol.P2P);
        return plain && components.get(1).protocol() == MultiaddrProtocol.UDP
                && components.get(2).protocol() == MultiaddrProtocol.QUIC_V1;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Component c : components) {
            UnsignedVarint.write(c.protocol().code(), out);
            c.protocol().writeValue(c.value(), out);
        }
        return out.toByteArray();
    }

    /** The value of the first component of {@code protocol}, if any. */
    public Optional<String> valueOf(MultiaddrProtocol protocol) {
        return components.stream().filter(c -> c.protocol() == protocol).map(Component::value).findFirst();
    }

    /** The peer id of the last {@code /p2p} component, if any. */
    public Optional<PeerId> peerId() {
        Component last = components.get(components.size() - 1);
        return last.protocol() == MultiaddrProtocol.P2P ? Optional.of(PeerId.parse(last.value())) : Optional.empty();
    }

    /** This address without a trailing {@code /p2p/…}; the same address if it has none. */
    public Multiaddr withoutPeerId() {
        if (peerId().isEmpty() || components.size() == 1) {
            return this;
        }
        return new Multiaddr(components.subList(0, components.size() - 1));
    }

    /** This address ending in {@code /p2p/peer}, replacing a {@code /p2p} part it already has. */
    public Multiaddr withPeerId(PeerId peer) {
        List<Component> out = new ArrayList<>(withoutPeerId().components);
        if (peerId().isPresent() && components.size() == 1) {
            out.clear();
        }
        out.add(new Component(MultiaddrProtocol.P2P, peer.toString()));
        return new Multiaddr(out);
    }

    /**
     * The TCP endpoint this address names: {@code /ip4|ip6|dns|dns4|dns6/host/tcp/port/…}. Host names
     * are left unresolved, for Netty's resolver to look up when dialling.
     *
     * @throws MultiaddrException if the address does not start with a host and a TCP port
     */
    public InetSocketAddress toTcpSocketAddress() {
        if (components.size() < 2 || components.get(1).protocol() != MultiaddrProtocol.TCP) {
            throw new MultiaddrException("not a TCP address: " + this);
        }
        return socketAddress("TCP");
    }

    /**
     * The UDP endpoint of a QUIC address ({@link #isQuic()}), host names left unresolved as in
     * {@link #toTcpSocketAddress()}.
     *
     * @throws MultiaddrException if the address does not start with a host, a UDP port and {@code /quic-v1}
     */
    public InetSocketAddress toQuicSocketAddress() {
        if (!isQuic()) {
            throw new MultiaddrException("not a QUIC address: " + this);
        }
        return socketAddress("QUIC");
    }

    private InetSocketAddress socketAddress(String transport) {
        Component host = components.get(0);
        int port = Integer.parseInt(components.get(1).value());
        return switch (host.protocol()) {
            case IP4, IP6 -> new InetSocketAddress(IpLiterals.toInetAddress(host), port);
            case DNS, DNS4, DNS6 -> InetSocketAddress.createUnresolved(host.value(), port);
            default -> throw new MultiaddrException("not a " + transport + " address: " + this);
        };
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        components.forEach(out::append);
        return out.toString();
    }
}
