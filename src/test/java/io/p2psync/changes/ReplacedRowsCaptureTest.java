package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows the app's {@code INSERT OR REPLACE} (or {@code UPDATE OR REPLACE}) deletes to make room under a UNIQUE
 * constraint of the table. SQLite fires no delete trigger for them unless the app's own connection turned on
 * {@code recursive_triggers}, so they used to go unsealed until the next reconciliation scan. Meanwhile the other
 * device met the new row as a {@code unique} conflict with the old one, although one device wrote both, one after
 * the other, and resolving it as "local" deleted both rows on both devices. The capture triggers now also name,
 * before the write, the rows a UNIQUE constraint may make it replace; the sealer finds them gone and seals their
 * deletes first, in the same group.
 */
class ReplacedRowsCaptureTest {

    private static final String SCHEMA = "CREATE TABLE u (id TEXT PRIMARY KEY, email TEXT UNIQUE, v TEXT);"
            + "INSERT INTO u VALUES ('u1', 'a@x', 'one'), ('u2', 'b@x', 'two');";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    private SqliteCli devices() {
        return devices("u", SCHEMA);
    }

    private SqliteCli devices(String table, String schema) {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), table, schema);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), table, schema);
        SqliteCli app = new SqliteCli(dir.resolve("a.db"));
        // both files held the rows before the nodes came: the scans seal them, and B takes A's as its own
        a.scan().scan(List.of(table));
        b.scan().scan(List.of(table));
        return app;
    }

    private List<ApplyOutcome> sealAndSyncToB() {
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        return b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 10_000), a.id());
    }

    private List<String> log() {
        return log("u");
    }

    private List<String> log(String table) {
        return a.jdbc().sql("SELECT operation || ' ' || record_id FROM sync_log WHERE table_name = ? ORDER BY version")
                .param(table).query(String.class).list();
    }

    /**
     * Two UNIQUE constraints, and a table whose name is {@code new}: the rows replaced are sealed before the row
     * that replaced them (the update's own row, which matches its own values, is not named first), and the table
     * is not taken for the NEW row (which would name every row of it on each write).
     */
    @Test
    void anUpdateOrReplaceUnderTwoUniqueConstraintsOfATableNamedNewSealsTheReplacedRowFirst() {
        SqliteCli app = devices("new", "CREATE TABLE \"new\" (id TEXT PRIMARY KEY, a TEXT UNIQUE, b TEXT UNIQUE);"
                + "INSERT INTO \"new\" VALUES ('k1', 'a1', 'b1'), ('k2', 'a2', 'b2'), ('k3', 'a3', 'b3');");
        sealAndSyncToB();
        int before = log("new").size();

        app.exec("UPDATE OR REPLACE \"new\" SET b = 'b1' WHERE id = 'k2';");
        List<ApplyOutcome> outcomes = sealAndSyncToB();

        assertThat(log("new").subList(before, log("new").size())).containsExactly("DELETE [\"k1\"]", "UPDATE [\"k2\"]");
        assertThat(outcomes).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(new SqliteCli(dir.resolve("b.db")).dump("new")).isEqualTo(app.dump("new"));
    }

    @Test
    void aRowInsertOrReplaceDeletesForAUniqueValueIsSealedAsDeletedBeforeTheNewRow() {
        SqliteCli app = devices();
        sealAndSyncToB();

        app.exec("INSERT OR REPLACE INTO u VALUES ('u3', 'a@x', 'three');");
        List<ApplyOutcome> outcomes = sealAndSyncToB();

        assertThat(log()).endsWith("DELETE [\"u1\"]", "INSERT [\"u3\"]");
        assertThat(outcomes).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(new SqliteCli(dir.resolve("b.db")).dump("u")).isEqualTo(app.dump("u"))
                .containsExactly("'u2'|'b@x'|'two'", "'u3'|'a@x'|'three'");
        assertThat(b.held().count()).isZero();
    }

    @Test
    void aRowUpdateOrReplaceDeletesForAUniqueValueIsSealedAsDeletedToo() {
        SqliteCli app = devices();
        sealAndSyncToB();

        app.exec("UPDATE OR REPLACE u SET email = 'a@x' WHERE id = 'u2';");
        List<ApplyOutcome> outcomes = sealAndSyncToB();

        assertThat(log()).endsWith("DELETE [\"u1\"]", "UPDATE [\"u2\"]");
        assertThat(outcomes).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(new SqliteCli(dir.resolve("b.db")).dump("u")).isEqualTo(app.dump("u"))
                .containsExactly("'u2'|'a@x'|'two'");
    }

    @Test
    void anInsertOrIgnoreThatIsIgnoredAndAPlainInsertThatFailsSealNothing() {
        SqliteCli app = devices();
        sealAndSyncToB();
        int before = log().size();

        app.exec("INSERT OR IGNORE INTO u VALUES ('u3', 'a@x', 'three');");
        try {
            app.exec("INSERT INTO u VALUES ('u4', 'b@x', 'four');");
        } catch (RuntimeException expected) {
            // UNIQUE constraint failed: the statement, and what its triggers wrote, is undone
        }
        sealAndSyncToB();

        assertThat(log()).hasSize(before);
        assertThat(a.jdbc().sql("SELECT count(*) FROM sync_capture").query(Integer.class).single()).isZero();
    }
}
