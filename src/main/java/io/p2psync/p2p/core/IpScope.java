package io.p2psync.p2p.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** Whether an address's IP is one the internet routes to, or one that stays inside a network (a LAN, a host). */
public final class IpScope {

    private IpScope() {
    }

    /**
     * True if {@code address} starts with a public IP: not unspecified, loopback, link-local, private (RFC 1918),
     * multicast, shared (100.64.0.0/10, carrier-grade NAT) or IPv6 unique-local; false for anything else, DNS
     * names included.
     */
    public static boolean isPublic(Multiaddr address) {
        Optional<InetAddress> found = ip(address);
        if (found.isEmpty()) {
            return false;
        }
        InetAddress ip = found.get();
        if (ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ip.isLinkLocalAddress() || ip.isSiteLocalAddress()
                || ip.isMulticastAddress()) {
            return false;
        }
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return !((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64); // 100.64.0.0/10, shared address space
        }
        return (b[0] & 0xfe) != 0xfc; // fc00::/7, unique local
    }

    /** The IP an address starts with ({@code /ip4/…} or {@code /ip6/…}, any transport after it); empty for any other. */
    public static Optional<InetAddress> ip(Multiaddr address) {
        if (address.components().isEmpty()) {
            return Optional.empty();
        }
        Multiaddr.Component first = address.components().get(0);
        if (first.protocol() != MultiaddrProtocol.IP4 && first.protocol() != MultiaddrProtocol.IP6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(first.value())); // an IP literal: no lookup
        } catch (UnknownHostException unreadable) {
            return Optional.empty();
        }
    }
}
