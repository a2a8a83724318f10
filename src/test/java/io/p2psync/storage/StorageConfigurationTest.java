package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection settings of the node's SQLite file, checked on a real file. */
class StorageConfigurationTest {

    @TempDir
    Path dataDir;

    private HikariDataSource dataSource() {
        return new StorageConfiguration().dataSource(new P2pSyncSettings(dataDir.resolve("nested"), null, List.of(), null));
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void opensTheFileInTheDataDirWithWalBusyTimeoutAndForeignKeysOff() throws Exception {
        try (HikariDataSource ds = dataSource(); Connection c = ds.getConnection()) {
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(c, "busy_timeout")).isEqualTo("10000");
            assertThat(pragma(c, "foreign_keys")).isEqualTo("0"); // remote entries never cascade (issue 11)
            assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
        }
        assertThat(dataDir.resolve("nested").resolve("p2psync.db")).exists();
    }

    @Test
    void aTransactionTakesTheWriteLockWhenItBegins() throws Exception {
        try (HikariDataSource ds = dataSource()) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x INTEGER)");
                s.execute("CREATE TABLE sync_apply_guard (id INTEGER PRIMARY KEY, applying INTEGER NOT NULL)");
                s.execute("INSERT INTO sync_apply_guard VALUES (1, 0)");
            }
            var tx = new org.springframework.transaction.support.TransactionTemplate(new SqliteTransactionManager(ds));
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
