package io.p2psync.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The node's one SQLite database. SQLite has a single writer, so every read-write transaction takes the
 * write lock up front (waiting at most the busy timeout; see {@link SqliteTransactionManager} for how and why
 * not through sqlite-jdbc's IMMEDIATE mode), which means a transaction that reads and then writes can never
 * fail by trying to upgrade a read lock while another connection writes. Reads outside a transaction run in
 * autocommit mode and never wait thanks to WAL. Writers keep transactions short (a few hundred entries) so
 * the app writing the same file gets its turn; see docs/operations.md.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    /** How long a connection waits for the write lock before failing with SQLITE_BUSY. */
    static final int BUSY_TIMEOUT_MS = 10_000;
    /** A few connections so reads go on while one writes; writers queue on the SQLite lock. */
    static final int POOL_SIZE = 4;

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(P2pSyncSettings settings) {
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + settings.dataDir(), e);
        }
        SQLiteDataSource sqlite = new SQLiteDataSource(sqliteConfig());
        sqlite.setUrl("jdbc:sqlite:" + settings.databaseFile().toAbsolutePath());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("p2psync-sqlite");
        hikari.setDataSource(sqlite);
        hikari.setMaximumPoolSize(POOL_SIZE);
        hikari.setMinimumIdle(1);
        return new HikariDataSource(hikari);
    }

    /** The connection settings, also used by tests and tools that open the file directly. */
    static SQLiteConfig sqliteConfig() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(false); // entries from other devices must never cascade or fail here (issue 11)
        config.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        return config;
    }

    @Bean
    SqliteTransactionManager transactionManager(javax.sql.DataSource dataSource) {
        return new SqliteTransactionManager(dataSource);
    }

    @Bean
    JdbcDialect jdbcDialect() {
        return SqliteDialect.INSTANCE;
    }
}
