package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table with generated columns, VIRTUAL and STORED, written by the app (Debian's {@code sqlite3}). Their values
 * travel in the entries (the sealer reads rows with {@code SELECT *}), but no device writes them: SQLite computes
 * them. The receiver used to take them for columns its table lacks and held every entry of such a table as
 * {@code missing-column}, for good, so the peer showed INCOMPLETE and health turned OUT_OF_SERVICE after an hour.
 */
class GeneratedColumnsTest {

    private static final String SCHEMA = "CREATE TABLE g (id TEXT PRIMARY KEY, x INTEGER,"
            + " y INTEGER GENERATED ALWAYS AS (x * 2) VIRTUAL, z TEXT GENERATED ALWAYS AS ('x=' || x) STORED);";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    @Test
    void entriesOfATableWithGeneratedColumnsApplyWholeAndLeaveNothingHeld() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "g", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "g", SCHEMA);
        SqliteCli app = new SqliteCli(dir.resolve("a.db"));
        SqliteCli appB = new SqliteCli(dir.resolve("b.db"));

        app.exec("INSERT INTO g (id, x) VALUES ('g1', 5), ('g2', 7); UPDATE g SET x = 6 WHERE id = 'g2';");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        List<ApplyOutcome> first = b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
        app.exec("UPDATE g SET x = 9 WHERE id = 'g1';");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        List<ApplyOutcome> second = b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());

        assertThat(first).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(second).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.held().count()).isZero();
        String everyColumn = "SELECT id, x, y, z FROM g ORDER BY id;";
        assertThat(appB.exec(everyColumn)).isEqualTo(app.exec(everyColumn)).contains("g1|9|18|x=9", "g2|6|12|x=6");
    }
}
