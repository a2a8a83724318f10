package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.sync.Node;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Issue 11, capture side: the app is Debian's {@code sqlite3} program writing the node's own file while two
 * paired nodes run. The app creates its tables after the nodes started (so capture must pick them up while
 * running), writes values of every storage class in typed and untyped columns, and changes its schema; the
 * devices are compared table by table, value by value ({@link SqliteCli#dump}). The tests build on each other,
 * in order, like one app's life.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppDatabaseCaptureIT {

    private static final List<String> TABLES = List.of("vals", "pairs", "loose", "wr", "notes", "memos");
    private static final String SCHEMA = """
            CREATE TABLE vals (k TEXT PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, u);
            CREATE TABLE pairs (region TEXT, code INTEGER, qty, PRIMARY KEY (region, code));
            CREATE TABLE loose (k PRIMARY KEY, v);
            CREATE TABLE wr (id TEXT PRIMARY KEY, v) WITHOUT ROWID;
            CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT UNIQUE, body);
            CREATE TABLE memos (id TEXT PRIMARY KEY, body TEXT, note TEXT);
            """;

    @TempDir
    static Path dir;
    static Node a;
    static Node b;
    static SqliteCli appA;
    static SqliteCli appB;

    @BeforeAll
    static void start() {
        a = startNode("a");
        b = startNode("b");
        a.pairWith(b);
        b.pairWith(a);
        // Until the start-up branch lands the file is <data-dir>/p2psync.db and Flyway wants it empty: the
        // nodes start first, and the apps create their tables afterwards (capture follows them).
        appA = new SqliteCli(dir.resolve("a").resolve("p2psync.db"));
        appB = new SqliteCli(dir.resolve("b").resolve("p2psync.db"));
    }

    private static Node startNode(String name) {
        return Node.start(name, dir.resolve(name), "p2psync.tables=" + String.join(",", TABLES),
                "p2psync.sync.auto=false", "p2psync.capture-poll=100ms");
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static JdbcClient jdbc(Node n) {
        return n.context.getBean(JdbcClient.class);
    }

    private static TrackedTables tracked(Node n) {
        return n.context.getBean(TrackedTables.class);
    }

    /** Lets a seal and a scan settle on a, then syncs both ways. */
    private static void sync() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.context.getBean(ChangeTracker.class).hasUnsealedCaptures());
        assertThat(a.post("/sync/now", "").status()).isEqualTo(200);
        assertThat(b.post("/sync/now", "").status()).isEqualTo(200);
    }

    private static void assertSameEverywhere(String... tables) {
        for (String t : tables) {
            assertThat(appB.dump(t)).as("table %s on b", t).isEqualTo(appA.dump(t));
        }
    }

    private static List<Map<String, Object>> entries(Node n, String table, String recordId) {
        return jdbc(n).sql("SELECT operation, change_data, changed_columns FROM sync_log "
                + "WHERE table_name = ? AND record_id = ? ORDER BY id").params(table, recordId).query().listOfRows();
    }

    @Test
    @Order(1)
    void tablesTheAppCreatesWhileTheNodeRunsAreTrackedWithTheRowsTheyAlreadyHad() {
        // rows written in the same program run as CREATE TABLE exist before any trigger: the scan finds them
        appA.exec(SCHEMA + "INSERT INTO vals (k, i, t) VALUES ('before', 1, 'existed before tracking');");
        // b's notes lacks the UNIQUE index: an INSERT OR REPLACE sealed before the scan's DELETE would clash with
        // it on apply, and holding such entries until the DELETE arrives is the apply side's work (issue 11)
        appB.exec(SCHEMA.replace("title TEXT UNIQUE", "title TEXT"));
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).names().containsAll(TABLES)
                && tracked(b).names().containsAll(TABLES));
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "vals", "[\"before\"]").size() == 1);
        sync();
        assertSameEverywhere("vals");
        assertThat(appB.dump("vals")).hasSize(1);
    }

    @Test
    @Order(2)
    void everyStorageClassTravelsExactlyInTypedAndUntypedColumns() {
        appA.exec("""
                INSERT INTO vals VALUES ('max', 9223372036854775807, 0.1 + 0.2, 'NUL' || char(0) || 'inside',
                                         X'00FF00', -9223372036854775808);
                INSERT INTO vals VALUES ('real', 1, 1e300, 'emoji 🙂 ü', X'', 0.1 + 0.2);
                INSERT INTO vals VALUES ('inf', -1, -9e999, NULL, NULL, 9e999);
                INSERT INTO vals VALUES ('mixed', 'text in INTEGER', X'0102', 42, 'text in BLOB', X'000000');
                INSERT INTO vals VALUES ('nulls', NULL, NULL, NULL, NULL, NULL);
                INSERT INTO pairs VALUES ('north', 1, 5), ('north', 2, 0.5), ('south', 1, X'00');
                INSERT INTO loose VALUES (5, 'integer five'), ('5', 'text five'), (5.5, 'real'), (X'05', 'blob');
                INSERT INTO wr VALUES ('w1', 1), ('w2', 'two');
                INSERT INTO notes VALUES ('0190f1d2-7b3c-7a10-8000-000000000001', 'first', 'body');
                """);
        sync();
        assertSameEverywhere(TABLES.toArray(String[]::new));
        assertThat(appB.dump("loose")).hasSize(4); // 5 and '5' stay two rows
        assertThat(appB.exec(".mode list\nSELECT typeof(u) FROM vals WHERE k = 'real';").strip()).isEqualTo("real");
    }

    @Test
    @Order(3)
    void updatesAndDeletesByKeyOfAnyTypeReachTheOtherDevice() {
        appA.exec("""
                UPDATE vals SET r = 2.5 WHERE k = 'real';
                DELETE FROM loose WHERE k = '5';
                UPDATE pairs SET code = 3 WHERE region = 'south' AND code = 1;
                DELETE FROM wr WHERE id = 'w1';
                """);
        sync();
        assertSameEverywhere(TABLES.toArray(String[]::new));
        assertThat(appB.dump("loose")).contains("5|'integer five'").doesNotContain("'5'|'text five'");
        Map<String, Object> update = entries(a, "vals", "[\"real\"]").get(1);
        assertThat(update.get("operation")).isEqualTo("UPDATE");
        assertThat(update.get("changed_columns")).isEqualTo("[\"r\"]");
        assertThat(entries(a, "pairs", "[\"south\",1]")).extracting(r -> r.get("operation"))
                .containsExactly("INSERT", "DELETE");
    }

    @Test
    @Order(4)
    void captureFollowsColumnsAddedRenamedAndDroppedWhileRunning() {
        // both apps run the same migrations; the node is not told
        String migrate = "ALTER TABLE vals ADD COLUMN extra; ALTER TABLE vals RENAME COLUMN t TO label;";
        appA.exec(migrate);
        appB.exec(migrate);
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).columns("vals").contains("label")
                && tracked(b).columns("vals").contains("extra"));
        appA.exec("UPDATE vals SET extra = X'AB', label = 'renamed' WHERE k = 'max';");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "vals", "[\"max\"]").size() == 2);
        Map<String, Object> update = entries(a, "vals", "[\"max\"]").get(1);
        assertThat(update.get("changed_columns")).isEqualTo("[\"label\",\"extra\"]");
        assertThat(SqlValues.decodeRow((String) update.get("change_data")))
                .containsEntry("label", "renamed").containsKey("extra");
        sync();
        assertSameEverywhere("vals");

        // the old triggers named every column, so DROP COLUMN failed; now it just works, and captures go on
        appA.exec("ALTER TABLE vals DROP COLUMN extra; UPDATE vals SET i = 7 WHERE k = 'nulls';");
        appB.exec("ALTER TABLE vals DROP COLUMN extra;");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "vals", "[\"nulls\"]").size() == 2);
        assertThat(entries(a, "vals", "[\"nulls\"]").get(1).get("changed_columns")).isEqualTo("[\"i\"]");
        sync();
        assertSameEverywhere("vals");
    }

    @Test
    @Order(5)
    void aRowInsertOrReplaceRemovedIsSealedAtOnceAndTheScanFindsOneAUniqueIndexMadeApartRemoved() {
        String first = "[\"0190f1d2-7b3c-7a10-8000-000000000001\"]";
        // recursive_triggers is off by default in sqlite3: the replaced row fires no delete trigger, but the capture
        // triggers named it before the write (title is UNIQUE in the table's definition)
        appA.exec("INSERT OR REPLACE INTO notes VALUES ('0190f1d2-7b3c-7a10-8000-000000000002', 'first', 'new');");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "notes", first).size() == 2);
        assertThat(entries(a, "notes", first)).extracting(e -> e.get("operation")).containsExactly("INSERT", "DELETE");

        // a UNIQUE index made apart is left to the scan (a trigger naming its column would stop the app dropping it)
        appA.exec("CREATE UNIQUE INDEX loose_v ON loose (v); INSERT INTO loose VALUES ('l1', 'same');");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "loose", "[\"l1\"]").size() == 1);
        appA.exec("INSERT OR REPLACE INTO loose VALUES ('l2', 'same');");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "loose", "[\"l2\"]").size() == 1);
        assertThat(entries(a, "loose", "[\"l1\"]")).hasSize(1);

        Node.Response r = a.post("/sync/rescan?table=loose", "");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("tables").get(0).get("table").asString()).isEqualTo("loose");
        assertThat(r.json().get("tables").get(0).get("entriesSealed").asLong()).isEqualTo(1);
        assertThat(entries(a, "loose", "[\"l1\"]")).extracting(e -> e.get("operation"))
                .containsExactly("INSERT", "DELETE");
        assertThat(a.post("/sync/rescan?table=nope", "").status()).isEqualTo(404);
        assertThat(a.post("/sync/rescan", "").json().get("tables")).hasSize(1 + TABLES.size());
        appA.exec("DROP INDEX loose_v;");
    }

    @Test
    @Order(6)
    void aBlobWrittenWhileTheNodeIsStoppedSucceedsAndIsSealedAtTheNextStart() {
        a.close();
        // the old triggers stayed in the file and made every BLOB write fail
        appA.exec("INSERT INTO vals (k, b, u) VALUES ('offline', X'DEADBEEF', X'00');");
        a = startNode("a");
        b.pairWith(a); // a listens on a new port now
        await().atMost(Duration.ofSeconds(20)).until(() -> entries(a, "vals", "[\"offline\"]").size() == 1);
        assertThat(a.post("/sync/now", "").status()).isEqualTo(200);
        assertSameEverywhere(TABLES.toArray(String[]::new));
    }

    @Test
    @Order(7)
    void textThatIsNotUtf8TravelsByteForByte() {
        // an app that writes Latin-1 through sqlite3_bind_text: 'café' with é as the one byte E9
        appA.exec("INSERT INTO vals (k, label, u) VALUES ('latin1', CAST(X'636166E9' AS TEXT), CAST(X'FF' AS TEXT));");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "vals", "[\"latin1\"]").size() == 1);
        sync();
        assertThat(bytesOfLatin1Row(appB)).isEqualTo("636166E9|text|FF|text");

        // a change of those bytes alone is a change: read as Java text, both were 'caf' and U+FFFD
        appA.exec("UPDATE vals SET label = CAST(X'636166E8' AS TEXT) WHERE k = 'latin1';");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "vals", "[\"latin1\"]").size() == 2);
        sync();
        assertThat(bytesOfLatin1Row(appB)).isEqualTo("636166E8|text|FF|text");

        // a row whose key is such text is not synced (docs/storage.md, "Known limits"), and holds nothing up
        appA.exec("INSERT INTO loose VALUES (CAST(X'6BFF' AS TEXT), 'key not UTF-8'); INSERT INTO loose VALUES ('after', 'synced');");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "loose", "[\"after\"]").size() == 1);
        sync();
        assertThat(appB.exec(".mode list\nSELECT v FROM loose WHERE k = 'after' OR v = 'key not UTF-8';").strip())
                .isEqualTo("synced");
    }

    @Test
    @Order(8)
    void aColumnDroppedAndAnotherAddedIsNotTakenForARenameNorARenameForAChange() {
        // qty is the last column, so an added column takes its place and its declaration: only the data tells
        // the two apart. The app's write of qty2 equals what qty held, and must travel all the same.
        String dropAndAdd = "ALTER TABLE pairs DROP COLUMN qty; ALTER TABLE pairs ADD COLUMN qty2;";
        appA.exec(dropAndAdd + " UPDATE pairs SET qty2 = 5 WHERE region = 'north' AND code = 1;");
        appB.exec(dropAndAdd);
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "pairs", "[\"north\",1]").size() == 2);
        assertThat(entries(a, "pairs", "[\"north\",1]").get(1).get("changed_columns")).isEqualTo("[\"qty2\"]");
        sync();
        assertSameEverywhere("pairs");
        assertThat(appB.exec(".mode list\nSELECT qty2 FROM pairs WHERE region = 'north' AND code = 1;").strip())
                .isEqualTo("5");

        // a rename in the same place keeps every value: a write of the row after it changes nothing
        appA.exec("ALTER TABLE loose RENAME COLUMN v TO val;");
        appB.exec("ALTER TABLE loose RENAME COLUMN v TO val;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).columns("loose").contains("val"));
        appA.exec("UPDATE loose SET val = val WHERE k = 5; UPDATE loose SET val = 'edited' WHERE k = 'after';");
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a, "loose", "[\"after\"]").size() == 2);
        assertThat(entries(a, "loose", "[5]")).hasSize(1);
        assertThat(entries(a, "loose", "[\"after\"]").get(1).get("changed_columns")).isEqualTo("[\"val\"]");
        sync();
        assertThat(appB.exec(".mode list\nSELECT val FROM loose WHERE k = 'after';").strip()).isEqualTo("edited");
    }

    @Test
    @Order(9)
    void aDeviceNotMigratedYetKeepsWritingARenamedColumnUnderItsOldName() {
        // a's app renames r (between i and label: a rename by its place); b's app has not run that migration yet
        appA.exec("ALTER TABLE vals RENAME COLUMN r TO ratio;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).columns("vals").contains("ratio"));
        appB.exec("UPDATE vals SET r = 2.5 WHERE k = 'max'; INSERT INTO vals (k, i, r) VALUES ('late', 7, -0.5);");
        await().atMost(Duration.ofSeconds(10)).until(() -> !b.context.getBean(ChangeTracker.class).hasUnsealedCaptures());
        sync();
        assertThat(appA.exec(".mode list\nSELECT k, ratio FROM vals WHERE k IN ('late', 'max') ORDER BY k;").strip())
                .isEqualTo("late|-0.5\nmax|2.5");
        assertThat(held(a)).as("nothing waits on a for a column named r").isZero();

        // a's write of ratio waits on b for its column; b's app runs the migration, and both hold the same rows
        appA.exec("UPDATE vals SET ratio = 9.75 WHERE k = 'late';");
        sync();
        appB.exec("ALTER TABLE vals RENAME COLUMN r TO ratio;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(b).columns("vals").contains("ratio")
                && held(b) == 0);
        sync();
        assertSameEverywhere("vals");
        assertThat(appB.exec(".mode list\nSELECT ratio FROM vals WHERE k = 'late';").strip()).isEqualTo("9.75");
        assertThat(held(a) + held(b)).isZero();
    }

    @Test
    @Order(10)
    void aDeviceSetUpLaterAtTheNewSchemaLearnsTheRenamesFromItsPeer() {
        // c's app creates vals as it stands now (label and ratio from the start): c's node never saw t and r renamed,
        // and every entry from before the renames names them; a's pull answers name the renames a followed
        String create = appA.exec(".mode list\nSELECT sql FROM sqlite_master WHERE name = 'vals';").strip();
        assertThat(create).contains("label").contains("ratio").doesNotContain(" t TEXT");
        try (Node c = startNode("c")) {
            SqliteCli appC = new SqliteCli(dir.resolve("c").resolve("p2psync.db"));
            appC.exec(create + ";");
            await().atMost(Duration.ofSeconds(10)).until(() -> tracked(c).columns("vals").contains("ratio"));
            c.pairWith(a);
            a.pairWith(c);

            assertThat(c.post("/sync/now", "").status()).isEqualTo(200);

            // (c lacks the other tables: what a has of them waits there as missing-table). A value of extra, which a
            // dropped, waits too: a drop is not taken in from a peer, as c's app might be behind and add it later
            assertThat(jdbc(c).sql("SELECT DISTINCT detail FROM sync_held WHERE table_name = 'vals'").query(String.class)
                    .list()).as("nothing of vals waits on c for a column named t or r")
                    .containsExactly("this table has no column extra");
            assertThat(appC.dump("vals")).isEqualTo(appA.dump("vals"));
        }
    }

    @Test
    @Order(11)
    void aRenameOfTheLastColumnThatNoRowShowsKeepsTheNotMigratedDevicesWritesUntilItMigratesToo() {
        appA.exec("INSERT INTO memos VALUES ('m1', 'first', NULL);");
        sync();
        // b's app renames the last column while no row holds a value in it: b cannot tell it from a drop and an add
        appB.exec("ALTER TABLE memos RENAME COLUMN note TO remark;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(b).columns("memos").contains("remark"));
        // a's app, not migrated yet, writes the column under its old name: b keeps the value (before, it dropped it)
        appA.exec("UPDATE memos SET note = 'from a', body = 'second' WHERE id = 'm1';");
        sync();
        assertThat(appB.exec(".mode list\nSELECT body, coalesce(remark, 'null') FROM memos;").strip())
                .isEqualTo("second|null");
        assertThat(heldOf(b, "memos")).as("note's value waits on b").isEqualTo(1);

        // a's app runs the migration: a's rows show it is a rename, and b takes that in from a's next pull answer
        appA.exec("ALTER TABLE memos RENAME COLUMN note TO remark;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).columns("memos").contains("remark"));
        sync();
        await().atMost(Duration.ofSeconds(10)).until(() -> heldOf(b, "memos") == 0);
        assertSameEverywhere("memos");
        assertThat(appB.exec(".mode list\nSELECT body, remark FROM memos;").strip()).isEqualTo("second|from a");
    }

    @Test
    @Order(12)
    void aPersonSaysWhatBecameOfAColumnNoPeerSettles() {
        appA.exec("ALTER TABLE memos ADD COLUMN tag TEXT;");
        appB.exec("ALTER TABLE memos ADD COLUMN tag TEXT;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(a).columns("memos").contains("tag")
                && tracked(b).columns("memos").contains("tag"));
        // b renames the new last column while no row holds a value in it; a's app keeps the old schema for good
        appB.exec("ALTER TABLE memos RENAME COLUMN tag TO label;");
        await().atMost(Duration.ofSeconds(10)).until(() -> tracked(b).columns("memos").contains("label"));
        appA.exec("UPDATE memos SET tag = 'urgent' WHERE id = 'm1';");
        sync();
        assertThat(heldOf(b, "memos")).isEqualTo(1);
        assertThat(b.get("/sync/former-columns").body()).contains("\"unsure\":[\"tag\"]");

        assertThat(b.post("/sync/former-columns", "{\"table\":\"nope\",\"column\":\"tag\",\"dropped\":true}")
                .status()).isEqualTo(404);
        Node.Response taken = b.post("/sync/former-columns",
                "{\"table\":\"memos\",\"column\":\"label\",\"dropped\":true}");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("not-a-former-column").contains("'label' is a column of memos now");
        // neither renamedTo nor dropped, or a misspelt field, is never taken for a drop
        for (String body : List.of("{\"table\":\"memos\",\"column\":\"tag\"}",
                "{\"table\":\"memos\",\"column\":\"tag\",\"renameTo\":\"label\"}",
                "{\"table\":\"memos\",\"column\":\"tag\",\"renamedTo\":\"\"}",
                "{\"table\":\"memos\",\"column\":\"tag\",\"renamedTo\":\"label\",\"dropped\":true}")) {
            Node.Response r = b.post("/sync/former-columns", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.body()).as(body).contains("invalid-declaration");
        }
        assertThat(b.post("/sync/former-columns", "").status()).as("an empty body").isEqualTo(400);
        // a name nothing here knows or waits for (misspelt, or in another case) is refused, not recorded as a drop
        for (String column : List.of("tga", "TAG")) {
            Node.Response r = b.post("/sync/former-columns",
                    "{\"table\":\"memos\",\"column\":\"" + column + "\",\"dropped\":true}");
            assertThat(r.status()).as(column).isEqualTo(409);
            assertThat(r.body()).as(column).contains("nothing here waits for a column '" + column + "'");
        }
        assertThat(heldOf(b, "memos")).as("nothing was settled").isEqualTo(1);

        Node.Response said = b.post("/sync/former-columns",
                "{\"table\":\"memos\",\"column\":\"tag\",\"renamedTo\":\"Label\"}");
        assertThat(said.status()).isEqualTo(200);
        assertThat(said.body()).contains("\"tag\":\"label\"").contains("\"unsure\":[]")
                .contains("\"heldForMissingColumns\":0");
        assertThat(heldOf(b, "memos")).as("released by the retry the declaration starts").isZero();
        assertThat(appB.exec(".mode list\nSELECT label FROM memos WHERE id = 'm1';").strip()).isEqualTo("urgent");
        // said once more, the same: nothing changes; said otherwise: the record stands
        assertThat(b.post("/sync/former-columns", "{\"table\":\"memos\",\"column\":\"tag\",\"renamedTo\":\"label\"}")
                .status()).isEqualTo(200);
        Node.Response otherwise = b.post("/sync/former-columns",
                "{\"table\":\"memos\",\"column\":\"tag\",\"dropped\":true}");
        assertThat(otherwise.status()).isEqualTo(409);
        assertThat(otherwise.body()).contains("former-column-recorded");
    }

    private static long heldOf(Node n, String table) {
        return jdbc(n).sql("SELECT count(*) FROM sync_held WHERE table_name = ?").param(table).query(Long.class).single();
    }

    private static long held(Node n) {
        return jdbc(n).sql("SELECT count(*) FROM sync_held").query(Long.class).single();
    }

    private static String bytesOfLatin1Row(SqliteCli app) {
        return app.exec(".mode list\nSELECT hex(label), typeof(label), hex(u), typeof(u) FROM vals WHERE k = 'latin1';")
                .strip();
    }
}
