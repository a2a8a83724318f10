package io.p2psync.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings every feature shares, under {@code p2psync.*}.
 *
 * @param dataDir     directory holding the SQLite file {@code p2psync.db} and the device key
 * @param deviceName  a human name for this device; the host name when not set
 * @param tables      user tables to track besides {@code kv_store}; each needs a primary key
 * @param capturePoll how often to look for changes written by other programs (they are sealed within it)
 */
@ConfigurationProperties("p2psync")
public record P2pSyncSettings(
        @DefaultValue("./data") Path dataDir,
        String deviceName,
        @DefaultValue List<String> tables,
        @DefaultValue("200ms") Duration capturePoll) {

    /** The SQLite file name inside the data dir. */
    public static final String DATABASE_FILE = "p2psync.db";

    public P2pSyncSettings {
        if (dataDir == null) {
            dataDir = Path.of("./data");
        }
        tables = tables == null ? List.of() : List.copyOf(tables);
        if (capturePoll == null || capturePoll.isNegative() || capturePoll.isZero()) {
            capturePoll = Duration.ofMillis(200);
        }
        if (deviceName == null || deviceName.isBlank()) {
            deviceName = hostName();
        }
    }

    public Path databaseFile() {
        return dataDir.resolve(DATABASE_FILE);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "p2p-sync";
        }
    }
}
