package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection settings of the node's SQLite file, checked on a real file. */
class StorageConfigurationTest {

    @TempDir
    Path dataDir;

    private final List<NodeLock> locks = new java.util.ArrayList<>();

    @AfterEach
    void releaseLocks() throws IOException {
        for (NodeLock lock : locks) {
            lock.close();
        }
    }

    private HikariDataSource dataSource() {
        return dataSource(new P2pSyncSettings(dataDir.resolve("nested"), null, null, List.of(), null, null));
    }

    private HikariDataSource dataSource(P2pSyncSettings settings) {
        StorageConfiguration configuration = new StorageConfiguration();
        NodeLock lock = configuration.nodeLock(settings);
        locks.add(lock);
        return configuration.dataSource(settings, lock);
    }

    private static P2pSyncSettings database(Path dataDir, Path database) {
        return new P2pSyncSettings(dataDir, database, null, List.of(), null, null);
    }

    @Test
    void opensTheAppFileNamedByDatabaseAndKeepsTheDataDirForTheKey() throws Exception {
        Path app = dataDir.resolve("app.db");
        try (HikariDataSource ds = dataSource(database(dataDir.resolve("keys"), app)); Connection c = ds.getConnection();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER)");
        }
        assertThat(app).exists();
        assertThat(NodeLock.fileOf(app)).exists();
        assertThat(dataDir.resolve("keys")).isDirectory();
        assertThat(dataDir.resolve("keys").resolve("p2psync.db")).doesNotExist();
    }

    @Test
    void refusesASecondNodeOnTheSameFile() {
        Path app = dataDir.resolve("app.db");
        dataSource(database(dataDir.resolve("a"), app)).close();
        assertThatThrownBy(() -> dataSource(database(dataDir.resolve("b"), app)))
                .isInstanceOfSatisfying(StartupProblem.class, p -> {
                    assertThat(p.setting()).isEqualTo("p2psync.database");
                    assertThat(p.problem()).contains("another p2p-sync node is running");
                });
    }

    @Test
    void refusesADatabaseInAMissingDirectoryWithoutMakingIt() {
        Path app = dataDir.resolve("missing").resolve("app.db");
        assertThatThrownBy(() -> dataSource(database(dataDir.resolve("d"), app)))
                .isInstanceOfSatisfying(StartupProblem.class, p -> {
                    assertThat(p.line()).startsWith("p2psync.database=" + app + ": the directory ");
                    assertThat(p.problem()).endsWith("does not exist");
                });
        assertThat(dataDir.resolve("missing")).doesNotExist();
    }

    @Test
    void refusesAFileThatIsNotSqliteAndLeavesItAlone() throws IOException {
        Path text = java.nio.file.Files.writeString(dataDir.resolve("notes.txt"), "milk, eggs");
        assertThatThrownBy(() -> dataSource(database(dataDir.resolve("d"), text)))
                .isInstanceOfSatisfying(StartupProblem.class, p -> assertThat(p.problem()).contains("not an SQLite database"));
        assertThat(java.nio.file.Files.readString(text)).isEqualTo("milk, eggs");
    }

    @Test
    void refusesADataDirBelowAFile() throws IOException {
        Path file = java.nio.file.Files.writeString(dataDir.resolve("f"), "x");
        assertThatThrownBy(() -> new P2pSyncSettings(file.resolve("data"), null, null, List.of(), null, null))
                .isInstanceOfSatisfying(StartupProblem.class, p -> {
                    assertThat(p.setting()).isEqualTo("p2psync.data-dir");
                    assertThat(p.problem()).contains(file + " is a file");
                });
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void opensTheFileInTheDataDirWithWalLockPollingAndForeignKeysOff() throws Exception {
        try (HikariDataSource ds = dataSource(); Connection c = ds.getConnection()) {
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            // SQLite's own busy handler is replaced by LockPolling's, which waits the same 10 s (LockPollingTest)
            assertThat(pragma(c, "busy_timeout")).isEqualTo("0");
            assertThat(pragma(c, "foreign_keys")).isEqualTo("0"); // remote entries never cascade (issue 11)
            assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
        }
        assertThat(dataDir.resolve("nested").resolve("p2psync.db")).exists();
    }

    @Test
    void everyConnectionHasTheConfiguredPageCache() throws Exception {
        try (HikariDataSource ds = dataSource(); Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
            assertThat(pragma(a, "cache_size")).isEqualTo("-16384"); // 16 MiB by default, in KiB
            assertThat(pragma(b, "cache_size")).isEqualTo("-16384");
        }
        P2pSyncSettings small = new P2pSyncSettings(dataDir.resolve("small"), null, null, List.of(), null,
                org.springframework.util.unit.DataSize.ofKilobytes(512));
        try (HikariDataSource ds = dataSource(small); Connection c = ds.getConnection()) {
            assertThat(pragma(c, "cache_size")).isEqualTo("-512");
        }
    }

    @Test
    void aTransactionTakesTheWriteLockWhenItBegins() throws Exception {
        try (HikariDataSource ds = dataSource()) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x INTEGER)");
                s.execute("CREATE TABLE sync_apply_guard (id INTEGER PRIMARY KEY, applying INTEGER NOT NULL)");
                s.execute("INSERT INTO sync_apply_guard VALUES (1, 0)");
            }
            var tx = new org.springframework.transaction.support.TransactionTemplate(new SqliteTransactionManager(ds, new WalCheckpoints(dataDir.resolve("nested/p2psync.db"), StorageConfiguration.sqliteConfig(P2pSyncSettings.DEFAULT_CACHE_SIZE))));
            tx.executeWithoutResult(status -> {
                // the lock is held before the transaction's own first statement ran
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("nested/p2psync.db"));
                        Statement s = other.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 0");
                    assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (1)"))
                            .isInstanceOf(SQLException.class).hasMessageContaining("SQLITE_BUSY");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("nested/p2psync.db"));
                    Statement s = other.createStatement()) {
                assertThat(s.executeUpdate("INSERT INTO t VALUES (1)")).isEqualTo(1);
            }
        }
    }
}
