package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large rows written at once by the app (Debian's {@code sqlite3}, a program of its own): the sealer takes a
 * batch's rows up to {@link ChangeSealer#BATCH_BYTES}, so such a write is sealed a few rows at a time instead of
 * every batch failing for want of memory and keeping every later write unsealed.
 */
class LargeRowsCaptureTest {

    private static final int MB = 1_000_000;

    @TempDir
    Path dir;

    private StandaloneDevice here;
    private SqliteCli app;

    private void open() {
        Path file = dir.resolve("photos.db");
        app = new SqliteCli(file);
        app.exec("CREATE TABLE photos (id TEXT PRIMARY KEY, img BLOB);");
        here = new StandaloneDevice(file, List.of("photos"), System::currentTimeMillis, List.of());
    }

    @AfterEach
    void close() {
        if (here != null) {
            here.close();
        }
    }

    /** The app inserts {@code count} rows of {@code bytes} random bytes each, in one statement. */
    private void insertPhotos(int count, int bytes) {
        app.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + count + ")"
                + " INSERT INTO photos SELECT 'p' || i, randomblob(" + bytes + ") FROM n;");
    }

    private ChangeSealer.Batch sealBatch() {
        return here.tx().execute(s -> here.sealer().sealBatch());
    }

    private List<Boolean> continuesFlags() {
        return here.jdbc().sql("SELECT continues FROM sync_log ORDER BY version").query(Boolean.class).list();
    }

    @Test
    void aBatchOfLargeRowsTakesTheRowsThatFitItsBytesAndLeavesTheRestForTheNext() {
        open();
        insertPhotos(5, 3 * MB); // 15 MB in one transaction

        ChangeSealer.Batch first = sealBatch();

        assertThat(first.entries()).as("reading stops after the row that takes it past %d bytes, the third",
                ChangeSealer.BATCH_BYTES).isEqualTo(3);
        assertThat(first.more()).isTrue();
        assertThat(continuesFlags()).as("the app's transaction goes on in the next batch").containsExactly(true, true, true);
        List<ChangeSealer.Batch> rest = new ArrayList<>();
        ChangeSealer.Batch batch;
        do {
            batch = sealBatch();
            rest.add(batch);
        } while (batch.more());
        assertThat(rest).extracting(ChangeSealer.Batch::entries).containsExactly(2);
        assertThat(continuesFlags()).as("one group, ended by its last entry").containsExactly(true, true, true, true, false);
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_capture").query(Long.class).single()).isZero();
        assertThat(here.jdbc().sql("SELECT group_concat(record_id ORDER BY version) FROM sync_log")
                .query(String.class).single()).isEqualTo("[\"p1\"],[\"p2\"],[\"p3\"],[\"p4\"],[\"p5\"]");
        assertThat(here.tracker().verify()).isEmpty();
    }

    @Test
    void aPartOfTheCapturePollerStopsAtABatchsBytesThoughTimeIsLeft() {
        open();
        insertPhotos(5, 3 * MB);

        // the part's entries are held for the listeners until it commits, so bytes bound it as they bound a batch
        ChangeSealer.Batch part = here.tx().execute(s -> here.sealer().sealPart(java.time.Duration.ofMinutes(1)));

        assertThat(part).extracting(ChangeSealer.Batch::entries, ChangeSealer.Batch::more).containsExactly(3, true);
        assertThat(part.bytes()).isGreaterThan(ChangeSealer.BATCH_BYTES);
        ChangeSealer.Batch next = here.tx().execute(s -> here.sealer().sealPart(java.time.Duration.ofMinutes(1)));
        assertThat(next).extracting(ChangeSealer.Batch::entries, ChangeSealer.Batch::more).containsExactly(2, false);
        assertThat(continuesFlags()).containsExactly(true, true, true, true, false);
        assertThat(here.tracker().verify()).isEmpty();
    }

    @Test
    void aRowLargerThanABatchsBytesIsSealedAloneAndThoseAfterItNextTime() {
        open();
        app.exec("BEGIN; INSERT INTO photos VALUES ('big', randomblob(" + 9 * MB + "));"
                + " INSERT INTO photos VALUES ('small', x'00'); COMMIT;");

        assertThat(sealBatch()).extracting(ChangeSealer.Batch::entries, ChangeSealer.Batch::more).containsExactly(1, true);
        assertThat(sealBatch()).extracting(ChangeSealer.Batch::entries, ChangeSealer.Batch::more).containsExactly(1, false);
        assertThat(continuesFlags()).containsExactly(true, false);
        assertThat(here.tracker().verify()).isEmpty();
    }

    @Test
    void sealPendingSealsEveryLargeRowOfTheWrite() {
        open();
        insertPhotos(6, 2 * MB);

        Integer sealed = here.tx().execute(s -> here.tracker().sealPending());

        assertThat(sealed).isEqualTo(6);
        assertThat(continuesFlags()).containsExactly(true, true, true, true, true, false);
        assertThat(here.tracker().verify()).isEmpty();
    }
}
