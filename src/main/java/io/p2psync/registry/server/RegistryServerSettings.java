package io.p2psync.registry.server;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the registry server, under {@code p2psync.registry.server}.
 *
 * @param enabled serve the registry's endpoints from this node
 * @param datasource where its database is; by default an SQLite file {@code registry.db} in the data directory
 * @param presenceTtl a device (or coordinator) that has not announced (or sent a heartbeat) for this long is offline
 * @param signatureWindow how old a signed announcement or heartbeat may be by this clock
 * @param futureSkew how far ahead of this clock its timestamp may be
 * @param maxBodySize the largest announcement or heartbeat body (larger: 413)
 * @param maxAddresses most multiaddrs in one announcement or heartbeat (more: 400)
 * @param maxCoordinators most coordinators in one announcement (more: 400)
 * @param tokenRate requests one network's token may make per {@code rateWindow} on the signed endpoints (more: 429)
 * @param deviceRate announcements and heartbeats one device may make per {@code rateWindow} (more: 429)
 * @param rateWindow the window of both rates
 * @param maxActivePeers most peers {@code active-peers} lists, the most recently seen first
 */
@ConfigurationProperties("p2psync.registry.server")
public record RegistryServerSettings(
        @DefaultValue("false") boolean enabled,
        @DefaultValue Datasource datasource,
        @DefaultValue("3m") Duration presenceTtl,
        @DefaultValue("5m") Duration signatureWindow,
        @DefaultValue("30s") Duration futureSkew,
        @DefaultValue("16KB") DataSize maxBodySize,
        @DefaultValue("32") int maxAddresses,
        @DefaultValue("16") int maxCoordinators,
        @DefaultValue("600") int tokenRate,
        @DefaultValue("20") int deviceRate,
        @DefaultValue("60s") Duration rateWindow,
        @DefaultValue("1000") int maxActivePeers) {

    public RegistryServerSettings {
        if (presenceTtl.isNegative() || presenceTtl.isZero()) {
            throw new IllegalArgumentException("p2psync.registry.server.presence-ttl must be positive");
        }
        if (rateWindow.isNegative() || rateWindow.isZero()) {
            throw new IllegalArgumentException("p2psync.registry.server.rate-window must be positive");
        }
        if (tokenRate < 1 || deviceRate < 1 || maxAddresses < 1 || maxCoordinators < 0 || maxActivePeers < 1) {
            throw new IllegalArgumentException("p2psync.registry.server rates and limits must be positive");
        }
    }

    /**
     * The registry's database.
     *
     * @param url a JDBC url: {@code jdbc:postgresql://host/db} for PostgreSQL, {@code jdbc:sqlite:/path} for another
     *     SQLite file; empty for {@code <data-dir>/registry.db}
     * @param username the database user (PostgreSQL), or empty
     * @param password that user's password, or empty
     * @param maxPoolSize most connections this instance holds open
     */
    public record Datasource(String url, String username, String password, @DefaultValue("8") int maxPoolSize) {
    }
}
