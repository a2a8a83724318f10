package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import io.p2psync.testing.SqliteCli;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** Waiting for SQLite's write lock while another connection writes, on a real file. */
class LockPollingTest {

    @TempDir
    Path dir;

    /**
     * The app, a {@code sqlite3} process, commits one row after another without pause and leaves the lock free only
     * for moments between its transactions. With SQLite's own busy handler most such writes failed after the whole
     * timeout (a writer in this JVM does not show it: its connections share one process's locks).
     */
    @Test
    void writesGetTheirTurnBesideAnAppThatNeverPauses() throws Exception {
        try (Connection setup = open()) {
            setup.createStatement().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)");
        }
        SqliteCli app = new SqliteCli(dir.resolve("t.db"));
        try (SqliteCli.Writer writer = app.writeWithoutPause("INSERT INTO t (who) VALUES ('app');");
             Connection node = open()) {
            LockPolling.install(node, Duration.ofSeconds(10));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(node, "app") > 1_000);
            for (int i = 0; i < 10; i++) {
                try (Statement s = node.createStatement()) {
                    s.execute("INSERT INTO t (who) VALUES ('node')");
                }
            }
            assertThat(count(node, "node")).isEqualTo(10);
            assertThat(writer.stop()).as("what the app's sqlite3 reported").isEmpty();
        }
    }

    @Test
    void aLockHeldPastTheTimeoutStillFailsTheWaitWithSqliteBusy() throws Exception {
        try (Connection holder = open(); Connection node = open()) {
            holder.createStatement().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)");
            holder.createStatement().execute("BEGIN IMMEDIATE");
            LockPolling.install(node, Duration.ofMillis(300));
            long start = System.nanoTime();
            assertThatThrownBy(() -> node.createStatement().execute("INSERT INTO t (who) VALUES ('node')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("SQLITE_BUSY");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the timeout first")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
            Thread.sleep(400); // longer than the timeout: a handler that kept the first wait's clock fails at once
            long again = System.nanoTime();
            assertThatThrownBy(() -> node.createStatement().execute("INSERT INTO t (who) VALUES ('node')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("SQLITE_BUSY");
            assertThat(Duration.ofNanos(System.nanoTime() - again)).as("the next wait starts afresh")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
            holder.createStatement().execute("ROLLBACK");
            node.createStatement().execute("INSERT INTO t (who) VALUES ('node')");
            assertThat(count(node, "node")).isEqualTo(1);
        }
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"), config.toProperties());
    }

    private static long count(Connection c, String who) throws SQLException {
        try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t WHERE who = '" + who + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
