package io.p2psync.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.util.unit.DataSize;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The node's one SQLite database: the app's file named by {@code p2psync.database}. SQLite has a single writer,
 * so every read-write transaction takes the write lock up front (waiting at most the busy timeout; see
 * {@link SqliteTransactionManager} for how and why not through sqlite-jdbc's IMMEDIATE mode), which means a
 * transaction that reads and then writes can never fail by trying to upgrade a read lock while another
 * connection writes. Reads outside a transaction run in autocommit mode and never wait thanks to WAL. Writers
 * keep transactions short (a few hundred entries) so the app writing the same file gets its turn; see
 * docs/operations.md.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    /** How long a connection waits for the write lock before failing with SQLITE_BUSY. */
    static final int BUSY_TIMEOUT_MS = 10_000;
    /** A few connections so reads go on while one writes; writers queue on the SQLite lock. */
    static final int POOL_SIZE = 4;

    /**
     * Held while the node runs, so a second node on the same file, and {@code remove}, are refused.
     *
     * @throws StartupProblem if the file cannot be used or another node holds it
     */
    @Bean(destroyMethod = "close")
    NodeLock nodeLock(P2pSyncSettings settings) {
        DatabaseFile.prepare(settings);
        String setting = settings.databaseConfigured() ? "p2psync.database" : "p2psync.data-dir";
        String value = settings.databaseConfigured() ? settings.databaseFile().toString() : settings.dataDir().toString();
        try {
            return NodeLock.tryAcquire(settings.databaseFile()).orElseThrow(() -> new StartupProblem(setting, value,
                    "another p2p-sync node is running on " + settings.databaseFile(),
                    "stop that node first, or give this one its own file"));
        } catch (IOException e) {
            throw new StartupProblem(setting, value, "cannot create the lock file " + NodeLock.fileOf(settings.databaseFile())
                    + " (" + e + ")", "give this user write access to the file's directory", e);
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(P2pSyncSettings settings, NodeLock nodeLock) {
        // an app inside a long write transaction keeps the node waiting here, not failing its first write
        StartupWriteLock.await(settings.databaseFile(), Duration.ofMillis(BUSY_TIMEOUT_MS), settings.startupLockWait(),
                settings.databaseConfigured() ? "p2psync.database" : "p2psync.data-dir",
                settings.databaseConfigured() ? settings.databaseFile().toString() : settings.dataDir().toString());
        SQLiteConfig config = sqliteConfig(settings.cacheSize());
        // commits leave checkpoints to WalCheckpoints' thread; this bound is for when that thread falls behind
        config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(WalCheckpoints.BACKSTOP_PAGES));
        // compiled statements kept per connection
        SQLiteDataSource sqlite = pollingDataSource(config, settings.databaseFile(), StatementCache::wrap);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("p2psync-sqlite");
        hikari.setDataSource(sqlite);
        hikari.setMaximumPoolSize(POOL_SIZE);
        hikari.setMinimumIdle(1);
        return new HikariDataSource(hikari);
    }

    /** The file with {@code config}; each connection waits for locks by {@link LockPolling}, then is {@code wrap}ped. */
    private static SQLiteDataSource pollingDataSource(SQLiteConfig config, java.nio.file.Path file,
            java.util.function.UnaryOperator<java.sql.Connection> wrap) {
        SQLiteDataSource source = new SQLiteDataSource(config) {
            @Override
            public java.sql.Connection getConnection() throws java.sql.SQLException {
                java.sql.Connection connection = super.getConnection();
                LockPolling.install(connection, Duration.ofMillis(BUSY_TIMEOUT_MS));
                return wrap.apply(connection);
            }
        };
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return source;
    }

    /**
     * The connection settings, also used by tests and tools that open the file directly.
     *
     * @param cacheSize the page cache of each connection ({@code p2psync.cache-size})
     */
    static SQLiteConfig sqliteConfig(DataSize cacheSize) {
        SQLiteConfig config = new SQLiteConfig();
        config.setCacheSize(-Math.toIntExact(cacheSize.toKilobytes())); // negative: KiB rather than pages
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(false); // entries from other devices must never cascade or fail here (issue 11)
        config.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        // Otherwise the driver prepares and runs "SELECT last_insert_rowid()" after every INSERT, wanted or not:
        // a second statement for each log entry, row state and key-value write. The one insert that needs its
        // new id asks for it with RETURNING.
        config.setGetGeneratedKeys(false);
        return config;
    }

    /** The node's own history table and the baseline of a file that holds the app's tables: no flags needed. */
    @Bean
    FlywayConfigurationCustomizer syncSchemaHistory() {
        return SchemaMigrations::configure;
    }

    /**
     * Migrates on a connection of its own whose transactions take the write lock as they begin ({@code BEGIN
     * IMMEDIATE}): Flyway reads its history inside each migration's transaction before the migration writes, and a
     * read transaction cannot wait for the lock to write, so an app committing in between failed the start with
     * {@code SQLITE_BUSY_SNAPSHOT}. Flyway keeps to one connection on SQLite and ends each migration with
     * {@code commit()} and {@code setAutoCommit(true)}; sqlite-jdbc begins the next transaction inside {@code commit()},
     * so the lock is taken a second time there and let go at once. Should the app hold it past the busy timeout just
     * then, that commit reports an error although the migration committed: the start fails, and the next one goes on
     * from there.
     */
    @Bean
    FlywayMigrationStrategy adoptingMigration(P2pSyncSettings settings) {
        return flyway -> {
            SQLiteConfig config = sqliteConfig(settings.cacheSize());
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource lockFirst = pollingDataSource(config, settings.databaseFile(), connection -> connection);
            SchemaMigrations.migrate(Flyway.configure().configuration(flyway.getConfiguration()).dataSource(lockFirst)
                    .load(), settings.databaseFile());
        };
    }

    @Bean(destroyMethod = "close")
    WalCheckpoints walCheckpoints(P2pSyncSettings settings) {
        return new WalCheckpoints(settings.databaseFile(), sqliteConfig(P2pSyncSettings.DEFAULT_CACHE_SIZE));
    }

    @Bean
    SqliteTransactionManager transactionManager(javax.sql.DataSource dataSource, WalCheckpoints checkpoints) {
        return new SqliteTransactionManager(dataSource, checkpoints);
    }

    @Bean
    JdbcDialect jdbcDialect() {
        return SqliteDialect.INSTANCE;
    }
}
