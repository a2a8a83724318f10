package io.p2psync.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings every feature shares, under {@code p2psync.*}.
 *
 * @param dataDir     directory holding the device key and the admin token, and the SQLite file when
 *                    {@code database} is not set
 * @param database    the app's SQLite file to keep in sync, used in place; null means {@code <dataDir>/p2psync.db}
 * @param deviceName  a human name for this device; the host name when not set
 * @param tables      user tables to track besides {@code sync_kv}; each needs a primary key
 * @param capturePoll how often to look for changes written by other programs (they are sealed within it)
 * @param cacheSize   SQLite's page cache per connection: a sync round's random row updates stay in memory
 *                    instead of being read back through the OS page by page (docs/benchmarks.md)
 * @param startupLockWait how long a starting node waits for the file's write lock while another program (the app,
 *                    in a long write transaction) holds it, before it gives up (docs/operations.md)
 * @throws StartupProblem if the data dir is a file or lies below one, so no directory can be made there
 */
@ConfigurationProperties("p2psync")
public record P2pSyncSettings(
        @DefaultValue("./data") Path dataDir,
        Path database,
        String deviceName,
        @DefaultValue List<String> tables,
        @DefaultValue("200ms") Duration capturePoll,
        @DefaultValue("16MB") DataSize cacheSize,
        @DefaultValue("5m") Duration startupLockWait) {

    /** The SQLite file name inside the data dir when {@code p2psync.database} is not set. */
    public static final String DATABASE_FILE = "p2psync.db";
    /** {@code p2psync.cache-size} when not set. */
    public static final DataSize DEFAULT_CACHE_SIZE = DataSize.ofMegabytes(16);
    /** {@code p2psync.startup-lock-wait} when not set. */
    public static final Duration DEFAULT_STARTUP_LOCK_WAIT = Duration.ofMinutes(5);

    @ConstructorBinding // the canonical constructor; the shorter one below is for code that builds settings itself
    public P2pSyncSettings {
        if (dataDir == null) {
            dataDir = Path.of("./data");
        }
        checkDataDir(dataDir);
        tables = tables == null ? List.of() : List.copyOf(tables);
        if (capturePoll == null || capturePoll.isNegative() || capturePoll.isZero()) {
            capturePoll = Duration.ofMillis(200);
        }
        if (cacheSize == null || cacheSize.toKilobytes() < 1) {
            cacheSize = DEFAULT_CACHE_SIZE;
        }
        if (startupLockWait == null || startupLockWait.isNegative()) {
            startupLockWait = DEFAULT_STARTUP_LOCK_WAIT;
        }
        if (deviceName == null || deviceName.isBlank()) {
            deviceName = hostName();
        }
    }

    /** The settings with the default start-up lock wait. */
    public P2pSyncSettings(Path dataDir, Path database, String deviceName, List<String> tables, Duration capturePoll,
                           DataSize cacheSize) {
        this(dataDir, database, deviceName, tables, capturePoll, cacheSize, DEFAULT_STARTUP_LOCK_WAIT);
    }

    /** The SQLite file the node works on: {@code p2psync.database}, else {@code <data-dir>/p2psync.db}. */
    public Path databaseFile() {
        return database != null ? database : dataDir.resolve(DATABASE_FILE);
    }

    /** Whether the file was named with {@code p2psync.database} rather than left to its default. */
    public boolean databaseConfigured() {
        return database != null;
    }

    /**
     * Fails early, before any feature writes its file there, when the data dir can neither be used nor made:
     * it is a file, or the nearest existing directory above it is a file or cannot be written. Makes nothing.
     */
    private static void checkDataDir(Path dataDir) {
        Path existing = dataDir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        String fix = "point p2psync.data-dir (--data-dir) at a directory this user may write, or create it";
        if (!Files.isDirectory(existing)) {
            throw new StartupProblem("p2psync.data-dir", dataDir.toString(),
                    existing.equals(dataDir.toAbsolutePath().normalize()) ? "it is a file, not a directory"
                            : "it cannot be created: " + existing + " is a file, not a directory", fix);
        }
        if (!Files.isWritable(existing)) {
            throw new StartupProblem("p2psync.data-dir", dataDir.toString(),
                    "the directory " + existing + " cannot be written by this user", fix);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "p2p-sync";
        }
    }
}
