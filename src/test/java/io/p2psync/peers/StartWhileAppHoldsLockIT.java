package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node that starts while the app is inside a long write transaction waits for the app, says so, and starts when
 * the app commits, with the app's write of that transaction captured: the app is the {@code sqlite3} program, the
 * node the built jar. The transaction stays open until the node has waited past its busy timeout (10 s), where
 * it used to give up.
 */
@Execution(ExecutionMode.CONCURRENT) // each case is a process of its own, in a directory of its own
class StartWhileAppHoldsLockIT {

    @TempDir
    Path dir;

    /**
     * On a file in WAL mode, as on every start after the first, a writer waits in SQLite's busy handler; a file the node
     * never saw is still in SQLite's default rollback journal, whose switch to WAL is refused at once while locked.
     */
    @ParameterizedTest
    @ValueSource(strings = {"wal", "delete"})
    void aNodeStartingDuringALongAppTransactionWaitsForIt(String journalMode) throws Exception {
        SqliteCli app = notesApp();
        assertThat(app.exec("PRAGMA journal_mode=" + journalMode + ";").strip()).isEqualTo(journalMode);
        try (JarNode node = node()) {
            startDuringLongTransaction(app, node);
        }
    }

    private void startDuringLongTransaction(SqliteCli app, JarNode node) throws Exception {
        try (SqliteCli.LongTransaction tx = app.holdWriteLock(
                "INSERT INTO notes VALUES ('n2', 'written while the node started');")) {
            node.start();
            // two WARN lines, 10 s apart: the node has waited past its busy timeout, where it used to exit
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(node.alive()).as("the node waits for the app instead of exiting; log:\n%s", node.logText())
                        .isTrue();
                return node.logText().split("waiting for the write lock", -1).length > 2;
            });
            assertThat(tx.open()).as("the app's transaction is still open while the node waits").isTrue();
            tx.commit();
        }
        node.awaitUp();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(app.exec("SELECT COUNT(*) FROM sync_log WHERE table_name = 'notes' AND record_id = '[\"n2\"]';")
                        .strip()).as("the row the app wrote in its long transaction is in the log").isEqualTo("1"));
        assertThat(app.dump("notes")).containsExactly("'n1'|'before'", "'n2'|'written while the node started'");
        assertThat(node.logText()).doesNotContain("SQLITE_BUSY", "Caused by", "APPLICATION FAILED TO START");
    }

    private SqliteCli notesApp() {
        SqliteCli app = new SqliteCli(dir.resolve("notes.db"));
        app.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL); INSERT INTO notes VALUES ('n1', 'before');");
        return app;
    }

    private JarNode node() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        return new JarNode("lock-wait", dir.resolve("data"), List.of("-Xmx256m"), List.of(
                "--p2psync.database=" + dir.resolve("notes.db").toAbsolutePath(), "--p2psync.tables=notes"));
    }
}
