package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Another program holding the write lock past the busy timeout must not break the node's transactions. */
class SqliteTransactionManagerTest {

    @TempDir
    Path dir;

    private HikariDataSource pool;
    private JdbcClient jdbc;
    private TransactionTemplate tx;
    private WalCheckpoints checkpoints;
    private String url;

    @BeforeEach
    void open() throws Exception {
        url = "jdbc:sqlite:" + dir.resolve("t.db");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE sync_apply_guard (id INTEGER PRIMARY KEY, applying INTEGER NOT NULL)");
            s.execute("INSERT INTO sync_apply_guard VALUES (1, 0)");
            s.execute("CREATE TABLE t (x INTEGER)");
        }
        SQLiteConfig config = StorageConfiguration.sqliteConfig(P2pSyncSettings.DEFAULT_CACHE_SIZE);
        config.setBusyTimeout(200); // as in production, but without waiting 10 s in a test
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(sqlite);
        hikari.setMaximumPoolSize(1); // one connection, so the next transaction reuses the one that failed
        pool = new HikariDataSource(hikari);
        jdbc = JdbcClient.create(pool);
        checkpoints = new WalCheckpoints(dir.resolve("t.db"), config);
        tx = new TransactionTemplate(new SqliteTransactionManager(pool, checkpoints));
    }

    @AfterEach
    void close() {
        checkpoints.close();
        pool.close();
    }

    @Test
    void aTransactionThatCannotGetTheLockFailsToBeginAndLeavesTheConnectionClean() throws Exception {
        try (Connection app = DriverManager.getConnection(url); Statement s = app.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            s.execute("INSERT INTO t VALUES (100)");

            assertThatThrownBy(() -> tx.executeWithoutResult(st -> jdbc.sql("INSERT INTO t VALUES (1)").update()))
                    .isInstanceOf(TransactionException.class);

            s.execute("COMMIT");
        }

        // the same pooled connection: still all or nothing
        assertThatThrownBy(() -> tx.executeWithoutResult(st -> {
            jdbc.sql("INSERT INTO t VALUES (2)").update();
            throw new IllegalStateException("fails after a write");
        })).isInstanceOf(IllegalStateException.class);
        tx.executeWithoutResult(st -> jdbc.sql("INSERT INTO t VALUES (3)").update());

        assertThat(jdbc.sql("SELECT x FROM t ORDER BY x").query(Integer.class).list()).containsExactly(3, 100);
    }

    @Test
    void aTransactionHoldsTheWriteLockFromItsStart() throws Exception {
        tx.executeWithoutResult(st -> {
            jdbc.sql("SELECT count(*) FROM t").query(Integer.class).single();
            try (Connection app = DriverManager.getConnection(url + "?busy_timeout=100"); Statement s = app.createStatement()) {
                assertThatThrownBy(() -> s.execute("INSERT INTO t VALUES (9)"))
                        .hasMessageContaining("SQLITE_BUSY");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            jdbc.sql("INSERT INTO t VALUES (1)").update();
        });
        assertThat(jdbc.sql("SELECT x FROM t").query(Integer.class).list()).containsExactly(1);
    }
}
