package io.p2psync.live;

import io.p2psync.p2p.kad.KadConfig;
import io.p2psync.p2p.kad.KadMode;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of peer routing over the Kademlia DHT, under {@code p2psync.libp2p} beside {@link LiveSettings}.
 *
 * @param bootstrap multiaddrs with {@code /p2p/<id>} the DHT starts from: dialled at start, redialled when lost;
 *     e.g. a home server's public address
 * @param dht the DHT itself
 */
@ConfigurationProperties("p2psync.libp2p")
public record RoutingSettings(@DefaultValue List<String> bootstrap, @DefaultValue Dht dht) {

    /**
     * @param enabled run the DHT: answer its queries (in server mode) and find paired devices by their id
     * @param protocol the DHT's protocol id; the default keeps the devices off the public IPFS DHT, and only nodes
     *     with the same id find each other
     * @param mode {@code server} answers DHT queries and announces the protocol, {@code client} only asks, {@code auto}
     *     is a server when the node listens for connections (always, unless it dials only)
     * @param queryTimeout how long one DHT query (dial, request, answer) may take
     * @param lookupTimeout how long one lookup may take in all
     * @param maxQueries queries one lookup sends at most
     * @param refreshInterval how often the routing table is refreshed; {@code 0s} for never
     */
    public record Dht(
            @DefaultValue("true") boolean enabled,
            @DefaultValue(KadConfig.DEFAULT_PROTOCOL_ID) String protocol,
            @DefaultValue("auto") KadMode mode,
            @DefaultValue("10s") Duration queryTimeout,
            @DefaultValue("30s") Duration lookupTimeout,
            @DefaultValue("100") int maxQueries,
            @DefaultValue("10m") Duration refreshInterval) {

        /** The library's configuration; @throws IllegalArgumentException naming the setting that is out of range */
        KadConfig toConfig() {
            try {
                return KadConfig.defaults().withProtocolId(protocol).withMode(mode)
                        .withLimits(queryTimeout, lookupTimeout, maxQueries).withRefreshInterval(refreshInterval);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("p2psync.libp2p.dht: " + e.getMessage(), e);
            }
        }
    }

    public RoutingSettings {
        bootstrap = bootstrap == null ? List.of() : List.copyOf(bootstrap);
        if (dht != null) {
            dht.toConfig(); // fails at start, naming the setting
        }
    }
}
