package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog of the app's writes (Debian's {@code sqlite3}, a program of its own) is sealed in parts bounded by time,
 * each one transaction of as many batches as fit the budget, and each part leaves the log whole: every group it
 * ends is signed, and what it leaves continues into the next part.
 */
class SealingPartsTest {

    private static final int ROWS = 3 * ChangeSealer.BATCH + 10;

    @TempDir
    Path dir;

    private StandaloneDevice here;

    @BeforeEach
    void open() {
        Path file = dir.resolve("notes.db");
        SqliteCli app = new SqliteCli(file);
        app.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT);");
        here = new StandaloneDevice(file, List.of("notes"), System::currentTimeMillis, List.of());
        app.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
                + " INSERT INTO notes SELECT i, 'note ' || i FROM n;");
    }

    @AfterEach
    void close() {
        here.close();
    }

    private ChangeSealer.Batch sealPart(Duration budget) {
        return here.tx().execute(s -> here.sealer().sealPart(budget));
    }

    @Test
    void aPartWithTimeToSpareSealsTheWholeBacklogInOneTransactionAsOneGroup() {
        ChangeSealer.Batch part = sealPart(Duration.ofMinutes(1));

        assertThat(part).extracting(ChangeSealer.Batch::captures, ChangeSealer.Batch::entries, ChangeSealer.Batch::more)
                .containsExactly(ROWS, ROWS, false);
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_capture").query(Integer.class).single()).isZero();
        // the app wrote all rows in one transaction: one group, signed once, at its end
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_log WHERE signature IS NOT NULL").query(Integer.class)
                .single()).isEqualTo(1);
        assertThat(here.tracker().verify()).isEmpty();
    }

    @Test
    void aPartWhoseTimeIsUpStopsAfterABatchAndTheNextPartsFinishTheGroup() {
        ChangeSealer.Batch first = sealPart(Duration.ZERO);

        assertThat(first).extracting(ChangeSealer.Batch::captures, ChangeSealer.Batch::more)
                .containsExactly(ChangeSealer.BATCH, true);
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_log WHERE continues = 0").query(Integer.class).single())
                .as("a part that leaves captures behind leaves its group open").isZero();

        int parts = 1;
        ChangeSealer.Batch part = first;
        while (part.more()) {
            part = sealPart(Duration.ZERO);
            parts++;
        }
        assertThat(parts).isEqualTo(4);
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_log").query(Integer.class).single()).isEqualTo(ROWS);
        assertThat(here.jdbc().sql("SELECT count(*) FROM sync_log WHERE signature IS NOT NULL").query(Integer.class)
                .single()).isEqualTo(1);
        assertThat(here.tracker().verify()).isEmpty();
    }
}
