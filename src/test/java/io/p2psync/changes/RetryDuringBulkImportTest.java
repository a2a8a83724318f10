package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry of held entries while the app imports rows faster than the node seals them: the retry seals the app's
 * writes that were there when it began, then retries (its own transaction seals what came meanwhile), and returns.
 * Before, it sealed until no capture was left, which an app outpacing the sealer never let happen: every retry,
 * and a person's conflict resolution that asks for one, waited until the import ended.
 */
class RetryDuringBulkImportTest {

    @TempDir
    Path dir;

    private StandaloneDevice here;
    private final AtomicBoolean importing = new AtomicBoolean(true);

    @AfterEach
    void close() {
        importing.set(false);
        if (here != null) {
            here.close();
        }
    }

    @Test
    void aRetryWhileTheAppImportsFasterThanTheSealerReturnsWithTheImportStillGoing() throws Exception {
        Path file = dir.resolve("notes.db");
        here = new StandaloneDevice(file, List.of("notes"), System::currentTimeMillis,
                List.of("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)"));
        RemoteDevice bob = new RemoteDevice();
        ChangeEntry elsewhere = bob.next(new RowChange("elsewhere", SqlValues.encodeKey(List.of(1L)), Operation.INSERT,
                Kind.EDIT, SqlValues.encodeRow(Map.of("id", 1L)), null), VersionVector.EMPTY, 1L << 40);
        assertThat(here.applier().apply(List.of(elsewhere), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.HELD);

        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> app = CompletableFuture.runAsync(() -> importRows(file, written));
        while (pendingCaptures() < 2_000 && !app.isDone()) {
            Thread.sleep(5);
        }

        CompletableFuture<Integer> retry = CompletableFuture.supplyAsync(() -> here.applier().retryHeld(true));
        assertThat(retry.get(30, TimeUnit.SECONDS)).as("still held: the table is not tracked here").isZero();
        assertThat(app).as("the app was still importing when the retry returned").isNotDone();

        importing.set(false);
        app.get(30, TimeUnit.SECONDS);
        here.tx().execute(s -> here.tracker().sealPending());
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_log WHERE table_name = 'notes'").query(Long.class).single())
                .isEqualTo(written.get());
        assertThat(here.tracker().verify()).isEmpty();
    }

    private long pendingCaptures() {
        return here.jdbc().sql("SELECT count(*) FROM sync_capture").query(Long.class).single();
    }

    /**
     * The app: its own connection, transactions of 500 inserts a couple of milliseconds apart (an app that never
     * lets go of the write lock keeps the node from every write, whatever the node does), until told to stop.
     */
    private void importRows(Path file, AtomicLong written) {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
            }
            db.setAutoCommit(false);
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO notes (id, title) VALUES (?, ?)")) {
                while (importing.get() && written.get() < 3_000_000) {
                    long from = written.get();
                    for (long id = from + 1; id <= from + 500; id++) {
                        insert.setLong(1, id);
                        insert.setString(2, "imported note " + id);
                        insert.executeUpdate();
                    }
                    db.commit();
                    written.addAndGet(500);
                    Thread.sleep(2); // what the app does between its transactions; the node's turn for the lock

                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
