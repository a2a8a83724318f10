package io.p2psync.p2p.mdns;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Optional;

/**
 * How a node takes part in mDNS discovery.
 *
 * @param serviceName the DNS-SD service name, {@code _p2p._udp.local} unless a private network is in use
 * @param queryInterval how often to ask for peers; the first question goes out at start
 * @param group the multicast group and port, 224.0.0.251:5353 by RFC 6762
 * @param networkInterface the interface to join the group on; empty picks the first interface that is up
 *     and supports multicast, preferring a non-loopback one
 */
public record MdnsConfig(String serviceName, Duration queryInterval, InetSocketAddress group,
                         Optional<NetworkInterface> networkInterface) {

    public static final String SERVICE_NAME = "_p2p._udp.local";
    public static final Duration DEFAULT_QUERY_INTERVAL = Duration.ofSeconds(10);
    public static final InetSocketAddress MDNS_GROUP = new InetSocketAddress("224.0.0.251", 5353);

    public MdnsConfig {
        if (serviceName == null || serviceName.isBlank()) {
            throw new IllegalArgumentException("service name is required");
        }
        if (queryInterval == null || queryInterval.isNegative() || queryInterval.isZero()) {
            throw new IllegalArgumentException("query interval must be positive");
        }
        if (group == null || !group.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("group must be a multicast address");
        }
        networkInterface = networkInterface == null ? Optional.empty() : networkInterface;
    }

    /** The spec's service on the standard group, asking every 10 seconds, on an interface picked at start. */
    public static MdnsConfig defaults() {
        return new MdnsConfig(SERVICE_NAME, DEFAULT_QUERY_INTERVAL, MDNS_GROUP, Optional.empty());
    }

    public MdnsConfig withQueryInterval(Duration interval) {
        return new MdnsConfig(serviceName, interval, group, networkInterface);
    }

    public MdnsConfig withNetworkInterface(NetworkInterface nif) {
        return new MdnsConfig(serviceName, queryInterval, group, Optional.of(nif));
    }
}
