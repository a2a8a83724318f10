package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciliation scan on a real SQLite file, in pages of three rows. */
class ReconciliationScanTest {

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS items (grp, n, v, PRIMARY KEY (grp, n))",
            // rows that exist before the table is tracked, keys of mixed storage classes
            "INSERT INTO items VALUES (1, 1, 'a'), (1, 2, 'b'), ('1', 1, 'text group'), (X'01', 1, 'blob group'),"
                    + " (2.5, 1, 'real group'), (NULL, 1, 'null group'), (3, 1, X'00')");

    @TempDir
    Path dir;
    StandaloneDevice device;

    @AfterEach
    void close() {
        device.close();
    }

    private StandaloneDevice open() {
        device = new StandaloneDevice(dir.resolve("d.db"), List.of("items"), System::currentTimeMillis, SCHEMA);
        return device;
    }

    private List<String> operations(String recordId) {
        return device.jdbc().sql("SELECT operation FROM sync_log WHERE table_name = 'items' AND record_id = ? ORDER BY id")
                .param(recordId).query(String.class).list();
    }

    /** The file {@code wr.db} as the app (sqlite3) wrote it with {@code sql}, opened by the device, which tracks wr. */
    private Path appWrote(String sql) {
        Path file = dir.resolve("wr.db");
        new io.p2psync.testing.SqliteCli(file).exec(sql);
        device = new StandaloneDevice(file, List.of("wr"), System::currentTimeMillis, List.of());
        return file;
    }

    /** Writes as the node's own apply does: the triggers do not see it. */
    private void unseen(String sql) {
        device.tx().executeWithoutResult(s -> {
            device.jdbc().sql("UPDATE sync_apply_guard SET applying = 1 WHERE id = 1").update();
            device.jdbc().sql(sql).update();
            device.jdbc().sql("UPDATE sync_apply_guard SET applying = 0 WHERE id = 1").update();
        });
    }

    @Test
    void sealsRowsThatExistedBeforeTrackingAcrossPagesOnceEach() {
        open();
        List<ReconciliationScan.TableScan> first = device.scan().scan(List.of("items"));

        assertThat(first).containsExactly(new ReconciliationScan.TableScan("items", 7, 7));
        assertThat(operations("[1,1]")).containsExactly("INSERT");
        assertThat(operations("[\"1\",1]")).containsExactly("INSERT");
        assertThat(operations("[{\"blob\":\"AQ==\"},1]")).containsExactly("INSERT");
        assertThat(device.scan().scan(List.of("items"))).containsExactly(new ReconciliationScan.TableScan("items", 7, 0));
        assertThat(device.tracker().verify()).isEmpty();
    }

    /**
     * The app adds a column while a scan runs, before the node has followed the change: the scan stops instead
     * of taking the new column's default for a write, which would overwrite what another device wrote into it.
     */
    @Test
    void aColumnAddedWhileTheScanRunsIsNotSealedAsAChangeOfEveryRow() {
        open();
        device.scan().scan(List.of("items"));
        long before = device.tracker().count();

        device.jdbc().sql("ALTER TABLE items ADD COLUMN flag DEFAULT 0").update(); // not followed yet

        assertThat(device.scan().scan(List.of("items"))).singleElement()
                .satisfies(scan -> assertThat(scan.sealed()).isZero());
        device.followSchema();
        device.scan().scan(List.of("items"));
        assertThat(device.tracker().count()).as("nothing was written").isEqualTo(before);
    }

    /**
     * Two rows whose key is NULL (SQLite allows it in a rowid table) are one record: the first of them syncs, and
     * scans do not seal them over each other, one after the other, for ever.
     */
    @Test
    void rowsSharingAKeyWithNullAreOneRecordAndScansLeaveThemBe() {
        device = new StandaloneDevice(dir.resolve("n.db"), List.of("t"), System::currentTimeMillis,
                List.of("CREATE TABLE t (k TEXT PRIMARY KEY, v)", "INSERT INTO t VALUES (NULL, 'first'), (NULL, 'second')"));

        device.scan().scan(List.of("t"));
        device.scan().scan(List.of("t"));
        device.scan().scan(List.of("t"));

        assertThat(device.jdbc().sql("SELECT operation || ' ' || change_data FROM sync_log WHERE table_name = 't'")
                .query(String.class).list()).singleElement().asString().startsWith("INSERT").contains("first");
    }

    /** A table with a generated column is scanned like any other (SELECT * gives that column too). */
    @Test
    void aTableWithAGeneratedColumnIsScanned() {
        device = new StandaloneDevice(dir.resolve("g.db"), List.of("g"), System::currentTimeMillis,
                List.of("CREATE TABLE g (id TEXT PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2))",
                        "INSERT INTO g (id, a) VALUES ('x', 1), ('y', 2)"));

        assertThat(device.scan().scan(List.of("g"))).singleElement()
                .satisfies(scan -> assertThat(scan.sealed()).as("the rows that were there before tracking").isEqualTo(2));
    }

    /** Rows sharing a key with NULL in it do not hide a row deleted behind the triggers' back from the scan. */
    @Test
    void aRowDeletedUnseenIsFoundBesideRowsSharingAKeyWithNull() {
        device = new StandaloneDevice(dir.resolve("n.db"), List.of("t"), System::currentTimeMillis,
                List.of("CREATE TABLE t (k TEXT PRIMARY KEY, v)",
                        "INSERT INTO t VALUES (NULL, 'first'), (NULL, 'second'), ('x', 'gone soon')"));
        device.scan().scan(List.of("t"));
        device.tx().executeWithoutResult(s -> {
            device.jdbc().sql("UPDATE sync_apply_guard SET applying = 1 WHERE id = 1").update();
            device.jdbc().sql("DELETE FROM t WHERE k = 'x'").update();
            device.jdbc().sql("UPDATE sync_apply_guard SET applying = 0 WHERE id = 1").update();
        });

        device.scan().scan(List.of("t"));

        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE table_name = 't' AND record_id = '[\"x\"]'"
                + " ORDER BY id").query(String.class).list()).containsExactly("INSERT", "DELETE");
    }

    @Test
    void sealsChangesAndDeletesTheTriggersDidNotSee() {
        open();
        device.scan().scanAll();
        unseen("UPDATE items SET v = 'changed' WHERE grp = 1 AND n = 2");
        unseen("DELETE FROM items WHERE grp = '1'");

        List<ReconciliationScan.TableScan> scan = device.scan().scan(List.of("items"));

        assertThat(scan.get(0).sealed()).isEqualTo(2);
        assertThat(operations("[1,2]")).containsExactly("INSERT", "UPDATE");
        assertThat(device.jdbc().sql("SELECT changed_columns FROM sync_log WHERE record_id = '[1,2]' AND operation = 'UPDATE'")
                .query(String.class).single()).isEqualTo("[\"v\"]");
        assertThat(operations("[\"1\",1]")).containsExactly("INSERT", "DELETE");
        assertThat(operations("[1,1]")).containsExactly("INSERT"); // 1 and '1' are different groups
    }

    @Test
    void reachesEveryRowWhenAPageEndsOnAKeyHoldingNull() {
        // SQLite lets a composite key of a rowid table hold NULL; the app wrote these before tracking began.
        Path file = dir.resolve("nulls.db");
        new io.p2psync.testing.SqliteCli(file).exec("""
                CREATE TABLE pairs (a, b, v, PRIMARY KEY (a, b));
                INSERT INTO pairs VALUES (NULL, 1, 'n1'), (NULL, 2, 'n2'), (NULL, 3, 'n3'), ('a', 1, 'a1'),
                  ('a', 2, 'a2'), ('b', NULL, 'bn'), ('b', 1, 'b1'), ('c', 1, 'c1'), ('c', NULL, 'cn');""");
        device = new StandaloneDevice(file, List.of("pairs"), System::currentTimeMillis, List.of());

        List<ReconciliationScan.TableScan> scan = device.scan().scan(List.of("pairs"));

        assertThat(scan).containsExactly(new ReconciliationScan.TableScan("pairs", 9, 9));
        assertThat(device.jdbc().sql("SELECT change_data FROM sync_log WHERE table_name = 'pairs'").query(String.class)
                .list()).hasSize(9);
        assertThat(device.scan().scan(List.of("pairs"))).as("a second scan finds nothing new")
                .containsExactly(new ReconciliationScan.TableScan("pairs", 9, 0));
    }

    @Test
    void aWithoutRowidTableIsScannedInKeyOrderAcrossPages() {
        appWrote("""
                CREATE TABLE wr (a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
                INSERT INTO wr VALUES ('a', 1, 1), ('a', 2, 2), ('b', 1, 3), ('b', 2, 4), ('c', 1, 5), ('c', 2, 6),
                  ('d', 1, 7);""");

        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 7, 7));
        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 7, 0));
    }

    /**
     * TEXT that is not valid UTF-8 (a Latin-1 'café'): as a value it is sealed as its bytes, and a second scan sees
     * no change; as a key the row is left out (it cannot be synced), and a page that ends on it goes on after it.
     */
    @Test
    void textThatIsNotUtf8IsSealedAsItsBytesAndARowKeyedByItIsLeftOut() {
        appWrote("""
                CREATE TABLE wr (a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
                INSERT INTO wr VALUES ('a', 1, CAST(X'636166E9' AS TEXT)), ('a', 2, 2), (CAST(X'62FF' AS TEXT), 1, 3),
                  ('c', 1, 4), ('c', 2, 5), ('d', 1, 6), ('d', 2, 7);""");

        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 7, 6));
        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 7, 0));
        assertThat(device.jdbc().sql("SELECT change_data FROM sync_log WHERE record_id = '[\"a\",1]'")
                .query(String.class).single()).contains("\"v\":{\"text\":\"Y2Fm6Q==\"}");
        assertThat(device.jdbc().sql("SELECT COUNT(*) FROM sync_log WHERE record_id LIKE '[\"b%'")
                .query(Long.class).single()).isZero();

        // a row deleted behind the triggers' back is still found (the second pass reads the six live states): the
        // row left out does not stand in for it in the count of rows
        unseen("DELETE FROM wr WHERE a = 'c' AND b = 1");
        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 6 + 6, 1));
        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE record_id = '[\"c\",1]' ORDER BY id")
                .query(String.class).list()).containsExactly("INSERT", "DELETE");
    }

    /**
     * A row whose key is not UTF-8 that synced before such text was read as its bytes has a live state under the
     * key as it was read then, with U+FFFD in place of the byte. Its row is still there: the scan does not take
     * the state for a row deleted behind the triggers' back, which would delete the row on every other device, nor
     * runs its second pass on every scan for it; once the app deletes the row, the record's DELETE is sealed.
     */
    @Test
    void aRecordOfAKeyReadWithReplacementCharactersIsNotTakenForADeletedRow() {
        Path file = appWrote("""
                CREATE TABLE wr (a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
                INSERT INTO wr VALUES ('a', 1, 1), (CAST(X'62FF' AS TEXT), 1, 2);""");
        String recordedBefore = "[\"b\uFFFD\",1]";
        device.tracker().log(new RowChange("wr", recordedBefore, Operation.INSERT, Kind.EDIT,
                "{\"a\":\"b\uFFFD\",\"b\":1,\"v\":2}", null));

        // ('a', 1) is sealed as a row that existed before tracking; two rows read, no second pass over the states
        assertThat(device.scan().scan(List.of("wr"))).as("the record stands for its row")
                .containsExactly(new ReconciliationScan.TableScan("wr", 2, 1));
        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE record_id = ? ORDER BY id")
                .param(recordedBefore).query(String.class).list()).containsExactly("INSERT");

        // once the app deletes the row, the record is its delete's only way to the other devices
        new io.p2psync.testing.SqliteCli(file).exec("DELETE FROM wr WHERE b = 1 AND a <> 'a';");
        device.scan().scan(List.of("wr"));
        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE record_id = ? ORDER BY id")
                .param(recordedBefore).query(String.class).list()).containsExactly("INSERT", "DELETE");
    }

    /**
     * The record an earlier version made of a row keyed by non-UTF-8 text ('b' and the byte FF, read as 'b' and
     * U+FFFD) may belong to a row of its own whose key holds U+FFFD itself (as it came from another device then).
     * It then stands for that row only, and a row deleted behind the triggers' back is still found.
     */
    @Test
    void aRecordThatARowOfItsOwnHoldsDoesNotAlsoStandForANonUtf8Row() {
        appWrote("""
                CREATE TABLE wr (a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
                INSERT INTO wr VALUES ('a', 1, 1), (CAST(X'62EFBFBD' AS TEXT), 1, 3), (CAST(X'62FF' AS TEXT), 1, 2),
                  ('z', 1, 9);""");
        device.scan().scan(List.of("wr"));
        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE record_id = ? ORDER BY id")
                .param("[\"b\uFFFD\",1]").query(String.class).list()).containsExactly("INSERT");

        unseen("DELETE FROM wr WHERE a = 'z'");
        device.scan().scan(List.of("wr"));

        assertThat(device.jdbc().sql("SELECT operation FROM sync_log WHERE record_id = '[\"z\",1]' ORDER BY id")
                .query(String.class).list()).containsExactly("INSERT", "DELETE");
    }

    /**
     * A row holding TEXT that is not UTF-8, hashed by an earlier version as it read it then (U+FFFD for each such
     * byte), is sealed once after the upgrade with its exact bytes: that repairs the copies the other devices were
     * sent with U+FFFD, and from then on a change of those bytes alone is seen.
     */
    @Test
    void aValueHashedAsAnEarlierVersionReadItIsSealedOnceWithItsBytes() {
        Path file = appWrote("""
                CREATE TABLE wr (a TEXT PRIMARY KEY, v);
                INSERT INTO wr VALUES ('a', CAST(X'636166E9' AS TEXT));""");
        device.scan().scan(List.of("wr"));
        device.jdbc().sql("UPDATE sync_row_state SET column_hashes = ?")
                .param(RowHashes.of(new java.util.LinkedHashMap<>(Map.of("a", "a", "v", "caf\uFFFD")))).update();

        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 1, 1));
        assertThat(device.jdbc().sql("SELECT change_data FROM sync_log ORDER BY id DESC LIMIT 1").query(String.class)
                .single()).contains("{\"text\":\"Y2Fm6Q==\"}");
        assertThat(device.scan().scan(List.of("wr"))).containsExactly(new ReconciliationScan.TableScan("wr", 1, 0));
    }

    /**
     * A UTF-16 file: its text is never taken for UTF-8 bytes, and a value that is not UTF-8 from a UTF-8 device is
     * held, not written as the other text its bytes spell in UTF-16.
     */
    @Test
    void aUtf16FileNeitherReadsNorWritesTextAsUtf8Bytes() {
        Path file = dir.resolve("utf16.db");
        new io.p2psync.testing.SqliteCli(file).exec("""
                PRAGMA encoding = 'UTF-16le';
                CREATE TABLE wr (a TEXT PRIMARY KEY, v);
                INSERT INTO wr VALUES ('lone', CAST(X'00D8' AS TEXT));""");
        device = new StandaloneDevice(file, List.of("wr"), System::currentTimeMillis, List.of());
        device.scan().scan(List.of("wr"));
        assertThat(device.jdbc().sql("SELECT change_data FROM sync_log WHERE record_id = '[\"lone\"]'")
                .query(String.class).single()).doesNotContain("{\"text\"");

        RemoteDevice bob = new RemoteDevice();
        ChangeEntry latin1 = bob.next(new RowChange("wr", "[\"b\"]", Operation.INSERT, Kind.EDIT,
                "{\"a\":\"b\",\"v\":{\"text\":\"Y2Fm6Q==\"}}", null), VersionVector.EMPTY, 1L << 40);
        assertThat(device.applier().apply(List.of(latin1), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(ApplyOutcome.Result.HELD);
        assertThat(device.jdbc().sql("SELECT COUNT(*) FROM wr WHERE a = 'b'").query(Long.class).single()).isZero();
    }

    @Test
    void aStateWithoutHashesWrittenByAnotherDeviceIsNotSealedAgain() {
        open();
        device.scan().scanAll();
        // as an apply that does not store hashes leaves a row: compared with the data of the entry that wrote it
        device.jdbc().sql("UPDATE sync_row_state SET column_hashes = NULL").update();

        assertThat(device.scan().scan(List.of("items")).get(0).sealed()).isZero();
        Map<String, Object> any = device.jdbc().sql("SELECT * FROM sync_row_state LIMIT 1").query().singleRow();
        assertThat(any.get("deleted")).isEqualTo(0);
    }
}
