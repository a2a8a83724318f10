package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app that writes without pause, one row per transaction (the {@code sqlite3} program, fed one INSERT after
 * another), frees SQLite's write lock only for moments between its transactions. The node (the built jar) must
 * still get its turns: start (its migrations and triggers need the lock) and capture every row the app writes,
 * and the app must get no "database is locked".
 */
class AppWritingWithoutPauseIT {

    @TempDir
    Path dir;

    @Test
    void aNodeStartsAndCapturesBesideAnAppThatWritesWithoutPause() throws Exception {
        SqliteCli app = new SqliteCli(dir.resolve("notes.db"));
        app.exec("PRAGMA journal_mode=WAL; CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
                + " INSERT INTO notes VALUES ('n0', 'before');");
        Files.createDirectories(dir.resolve("data"));
        String errors;
        try (JarNode node = new JarNode("busy-app", dir.resolve("data"), List.of("-Xmx256m"), List.of(
                "--p2psync.database=" + dir.resolve("notes.db").toAbsolutePath(), "--p2psync.tables=notes"));
             SqliteCli.Writer writer = app.writeWithoutPause(
                     "INSERT INTO notes VALUES ('app-%d', 'written while the node runs');")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> rows(app) > 1_000);
            node.start();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class).until(() -> {
                assertThat(node.alive()).as("the node starts beside the app; its log:\n%s", node.logText()).isTrue();
                return node.get("/status").statusCode() == 200;
            });
            long atStart = rows(app);
            // the app goes on for a while with the node running: the capture poller needs its turns now
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(app) > atStart + 20_000);
            errors = writer.stop();
            long rows = rows(app);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(Long.parseLong(app.exec("SELECT COUNT(DISTINCT record_id) FROM sync_log"
                            + " WHERE table_name = 'notes';").strip())).as("rows of notes in the log").isEqualTo(rows));
            assertThat(node.logText()).doesNotContain("SQLITE_BUSY", "database is locked", "APPLICATION FAILED TO START");
        }
        assertThat(errors).as("what the app's sqlite3 reported").doesNotContain("locked").isEmpty();
    }

    /** The rows in the app's table, read by another {@code sqlite3} (WAL: never waits for the writer). */
    private static long rows(SqliteCli app) {
        return Long.parseLong(app.exec("SELECT COUNT(*) FROM notes;").strip());
    }
}
