package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the app wrote while nothing sealed it (the node stopped, or the poller not there yet) is sealed in parts, each
 * a write transaction of its own with a pause for the app between them, also by the work that seals what is pending
 * inside its own transaction before it goes on (an applied part here; a scan's page, a round's push and a served pull
 * call the same {@link ChangeSealer#sealBacklog} first): they used to seal the whole backlog in theirs and held the
 * app's write lock as long as that took.
 */
class BacklogSealingTest {

    private static final String SCHEMA = "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);";
    private static final int BACKLOG = 2_000;

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    @Test
    void anApplySealsTheAppsBacklogInPartsBeforeItsOwnTransaction() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "notes", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "notes", SCHEMA);
        a.write("INSERT INTO notes VALUES ('from-a', 'one row from the other device')");
        appWritesBacklogOn("b");
        b.sealer().backlogPartTime = Duration.ZERO; // one batch of captures a part

        long before = b.commits();
        b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());

        assertThat(b.commits() - before).as("write transactions of the apply, the backlog's parts among them")
                .isGreaterThanOrEqualTo(BACKLOG / ChangeSealer.BATCH + 1);
        assertEverythingSealed(b, BACKLOG + 1);
    }

    /** The app's rows, written by {@code sqlite3} in one transaction: captured by the triggers, not sealed. */
    private void appWritesBacklogOn(String device) {
        StringBuilder sql = new StringBuilder("BEGIN;");
        for (int i = 0; i < BACKLOG; i++) {
            sql.append("INSERT INTO notes VALUES ('app-").append(i).append("', 'written while nothing sealed');");
        }
        new SqliteCli(dir.resolve(device + ".db")).exec(sql.append("COMMIT;").toString());
    }

    private static void assertEverythingSealed(StandaloneDevice device, int rows) {
        assertThat(device.jdbc().sql("SELECT COUNT(*) FROM sync_capture").query(Long.class).single()).isZero();
        assertThat(device.jdbc().sql("SELECT COUNT(DISTINCT record_id) FROM sync_log WHERE table_name = 'notes'")
                .query(Long.class).single()).isEqualTo(rows);
    }
}
