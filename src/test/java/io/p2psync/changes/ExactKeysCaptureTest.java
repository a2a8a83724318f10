package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys changed to a value SQLite calls equal to the old one (an untyped key's {@code 1} to {@code 1.0}) by the app, Debian's {@code sqlite3}: such a key is a new record id, so the change is
 * sealed as the old record's delete and the new one's insert, and the other device ends with the same rows.
 */
class ExactKeysCaptureTest {

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    /** Two devices with {@code schema}; the app writes to A's file with sqlite3. */
    private SqliteCli devices(String table, String schema) {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), table, schema);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), table, schema);
        SqliteCli app = new SqliteCli(dir.resolve("a.db"));
        return app;
    }

    private void sealAndSyncToB() {
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 10_000), a.id());
    }

    private List<String> log(String table) {
        return a.jdbc().sql("SELECT operation || ' ' || record_id FROM sync_log WHERE table_name = ? ORDER BY version")
                .param(table).query(String.class).list();
    }

    /**
     * A key under {@code COLLATE NOCASE} (or any collation but BINARY) is refused: SQLite takes 'Work' and 'work' for
     * one row, while record ids tell them apart. Tracked, two devices inserting the tag in different case each held
     * the other's entry, and the next scans sealed both rows' deletes: the tag was gone everywhere.
     */
    @Test
    void aTableKeyedUnderACollationOtherThanBinaryIsRefusedWithTheWayOut() {
        Path file = dir.resolve("a.db");
        new SqliteCli(file).exec("CREATE TABLE tags (name TEXT PRIMARY KEY COLLATE NOCASE, color TEXT);"
                + "CREATE TABLE pairs (a TEXT, b TEXT COLLATE RTRIM, PRIMARY KEY (a, b)) WITHOUT ROWID;");
        for (String table : List.of("tags", "pairs")) {
            assertThatThrownBy(() -> new StandaloneDevice(file, List.of(table), System::currentTimeMillis, List.of()))
                    .isInstanceOf(io.p2psync.storage.StartupProblem.class)
                    .hasMessageContaining(table).hasMessageContaining(table.equals("tags") ? "name COLLATE NOCASE" : "b COLLATE RTRIM")
                    .hasMessageContaining("UNIQUE beside it");
        }
    }

    /**
     * Devices whose key columns differ in type: B's TEXT key holds A's record {@code [5]} as {@code '5'}. B's scan
     * seals that row as the record {@code ["5"]} and the record {@code [5]} as gone, in that order, so both devices
     * end with the one row {@code '5'}: neither keeps a second row, and no record stays live without its row.
     */
    @Test
    void devicesWhoseKeyTypesDifferEndWithTheSameOneRow() {
        SqliteCli app = new SqliteCli(dir.resolve("a.db"));
        app.exec("CREATE TABLE notes (id PRIMARY KEY, body TEXT);");
        new SqliteCli(dir.resolve("b.db")).exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);");
        a = new StandaloneDevice(dir.resolve("a.db"), List.of("notes"), System::currentTimeMillis, List.of());
        b = new StandaloneDevice(dir.resolve("b.db"), List.of("notes"), System::currentTimeMillis, List.of());
        app.exec("INSERT INTO notes VALUES (5, 'x');");
        sealAndSyncToB();

        b.scan().scan(List.of("notes"));
        a.applier().apply(b.tracker().missingFrom(a.tracker().versionVector(), 10_000), b.id());

        assertThat(new SqliteCli(dir.resolve("b.db")).dump("notes")).containsExactly("'5'|'x'");
        assertThat(app.dump("notes")).containsExactly("'5'|'x'");
        assertThat(b.scan().scan(List.of("notes"))).singleElement()
                .satisfies(scan -> assertThat(scan.sealed()).as("settled: the next scan finds nothing").isZero());
    }

    @Test
    void anUntypedKeyChangedFromOneToOnePointZeroIsANewRecord() {
        SqliteCli app = devices("nums", "CREATE TABLE nums (k PRIMARY KEY, v);");
        app.exec("INSERT INTO nums VALUES (1, 'one');");
        sealAndSyncToB();

        app.exec("UPDATE nums SET k = 1.0 WHERE k = 1;");
        sealAndSyncToB();

        assertThat(log("nums")).containsExactly("INSERT [1]", "DELETE [1]", "INSERT [{\"real\":\"0x1.0p0\"}]");
        assertThat(new SqliteCli(dir.resolve("b.db")).dump("nums")).isEqualTo(app.dump("nums"))
                .containsExactly("1.0|'one'");
    }

    /**
     * Rows keyed by TEXT that is not valid UTF-8 are not synced; a batch of captures made only of them is consumed
     * instead of stopping every later seal (and with it every round), and the app's other rows are sealed.
     */
    @Test
    void capturesOfRowsKeyedByTextThatIsNotUtf8AreConsumedAndStopNothing() {
        SqliteCli app = devices("names", "CREATE TABLE names (k TEXT PRIMARY KEY, v);");
        // more than a capture batch of them, then one row that syncs
        app.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
                + " INSERT INTO names SELECT CAST(X'FF' || printf('%03d', i) AS TEXT), i FROM n;"
                + " INSERT INTO names VALUES ('after', 'synced');"
                + " DELETE FROM names WHERE v = 1;");

        sealAndSyncToB();

        assertThat(log("names")).containsExactly("INSERT [\"after\"]");
        assertThat(a.jdbc().sql("SELECT COUNT(*) FROM sync_capture").query(Long.class).single()).isZero();
        assertThat(b.jdbc().sql("SELECT v FROM names").query(String.class).list()).containsExactly("synced");
    }
}
