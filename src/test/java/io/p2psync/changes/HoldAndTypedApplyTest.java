package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applying entries with exact types, and holding (never refusing) entries that verify but cannot be written
 * here: issue 11 (typed keys, schema changes) and issue 12 (hold, never stall), on real SQLite files.
 */
class HoldAndTypedApplyTest {

    @TempDir
    Path dir;

    private StandaloneDevice here;
    private final RemoteDevice bob = new RemoteDevice();
    private long hlc = 1L << 40;

    private StandaloneDevice device(List<String> tables, String... schema) {
        here = new StandaloneDevice(dir.resolve("here.db"), tables, System::currentTimeMillis, List.of(schema));
        return here;
    }

    @AfterEach
    void close() {
        if (here != null) {
            here.close();
        }
    }

    private ChangeEntry next(RowChange change, VersionVector base) {
        hlc += 1 << 16;
        return bob.next(change, base, hlc);
    }

    private static RowChange insert(String table, List<?> key, Map<String, ?> row) {
        return new RowChange(table, SqlValues.encodeKey(key), Operation.INSERT, Kind.EDIT, SqlValues.encodeRow(row), null);
    }

    private static RowChange update(String table, List<?> key, Map<String, ?> row, String changed) {
        return new RowChange(table, SqlValues.encodeKey(key), Operation.UPDATE, Kind.EDIT, SqlValues.encodeRow(row), changed);
    }

    private List<Map<String, Object>> rows(String sql) {
        return here.jdbc().sql(sql).query().listOfRows();
    }

    @Test
    void aRowTheScanHasNotReachedYetMeetsARemoteInsertAsAConflictNotASilentOverwrite() {
        // The row was in the app's file before the table was tracked, and no scan has sealed it yet.
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)",
                "INSERT INTO notes VALUES ('n1', 'mine')");
        ChangeEntry theirs = next(insert("notes", List.of("n1"), Map.of("id", "n1", "title", "theirs")),
                VersionVector.EMPTY);

        ApplyOutcome out = here.applier().apply(List.of(theirs), bob.id()).get(0);

        assertThat(out.result()).isEqualTo(Result.CONFLICT);
        assertThat(here.tracker().versionVector().get(here.id())).as("the local value is in the log").isEqualTo(1);
        assertThat(here.tracker().find(new EntryRef(here.id(), 1))).hasValueSatisfying(mine -> {
            assertThat(mine.recordId()).isEqualTo("[\"n1\"]");
            assertThat(mine.data()).contains("\"title\":\"mine\"");
        });
        assertThat(here.tracker().verify()).isEmpty();
    }

    @Test
    void aCompositeKeyHoldingNullNamesOneRowForInsertUpdateAndDelete() {
        device(List.of("pairs"), "CREATE TABLE pairs (a TEXT, b TEXT, v, PRIMARY KEY (a, b))");
        List<Object> key = java.util.Arrays.asList("x", null);
        Map<String, Object> one = new java.util.LinkedHashMap<>();
        one.put("a", "x");
        one.put("b", null);
        one.put("v", 1L);
        ChangeEntry put = next(insert("pairs", key, one), VersionVector.EMPTY);
        Map<String, Object> two = new java.util.LinkedHashMap<>(one);
        two.put("v", 2L);
        ChangeEntry edit = next(update("pairs", key, two, "[\"v\"]"), put.vector());

        here.applier().apply(List.of(put, edit), bob.id());
        assertThat(here.jdbc().sql("SELECT quote(a) || '|' || quote(b) || '|' || quote(v) FROM pairs").query(String.class)
                .list()).as("one row, updated in place").containsExactly("'x'|NULL|2");

        ChangeEntry gone = next(new RowChange("pairs", SqlValues.encodeKey(key), Operation.DELETE, Kind.EDIT, null,
                null), edit.vector());
        here.applier().apply(List.of(gone), bob.id());
        assertThat(rows("SELECT a, b, v FROM pairs")).isEmpty();
    }

    @Test
    void aForeignKeyToATableThisFileLacksNeitherUndoesNorStallsWhatWasApplied() {
        // SQLite accepts a REFERENCES to a table that does not exist; finding orphans for it cannot be answered.
        device(List.of("child"), "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES nothere (id))");
        ChangeEntry first = next(insert("child", List.of("c1"), Map.of("id", "c1", "parent", "p1")), VersionVector.EMPTY);
        ChangeEntry second = next(insert("child", List.of("c2"), Map.of("id", "c2", "parent", "p2")), VersionVector.EMPTY);

        List<ApplyOutcome> out = here.applier().apply(List.of(first, second), bob.id());

        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED, Result.APPLIED);
        assertThat(rows("SELECT id FROM child ORDER BY id")).containsExactly(Map.of("id", "c1"), Map.of("id", "c2"));
        assertThat(here.tracker().versionVector().get(bob.id())).isEqualTo(2);
    }

    @Test
    void deletesTheRowWhoseKeyIsTheInteger5AndNotTheText5() {
        device(List.of("untyped"), "CREATE TABLE untyped (k PRIMARY KEY, v)");
        ChangeEntry int5 = next(insert("untyped", List.of(5L), Map.of("k", 5L, "v", "integer")), VersionVector.EMPTY);
        ChangeEntry text5 = next(insert("untyped", List.of("5"), Map.of("k", "5", "v", "text")), VersionVector.EMPTY);
        ChangeEntry delete = next(new RowChange("untyped", SqlValues.encodeKey(List.of(5L)), Operation.DELETE, Kind.EDIT,
                null, null), int5.vector());

        assertThat(here.applier().apply(List.of(int5, text5, delete), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED, Result.APPLIED, Result.APPLIED);

        assertThat(rows("SELECT typeof(k) AS t, v FROM untyped")).containsExactly(Map.of("t", "text", "v", "text"));
    }

    @Test
    void storesEveryValueBitForBitAndRecordsTheHashesOfTheRowAsWritten() {
        device(List.of("vals"), "CREATE TABLE vals (id TEXT PRIMARY KEY, r REAL, i, b, n)");
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", "a");
        row.put("r", 0.1 + 0.2);
        row.put("i", Long.MIN_VALUE);
        row.put("b", new byte[] {0, -1, 7});
        row.put("n", null);
        here.applier().apply(List.of(next(insert("vals", List.of("a"), row), VersionVector.EMPTY)), bob.id());

        Map<String, Object> stored = rows("SELECT r, i, b, n FROM vals").get(0);
        assertThat(Double.doubleToRawLongBits((Double) stored.get("r"))).isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));
        assertThat(((Number) stored.get("i")).longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat((byte[]) stored.get("b")).containsExactly(0, -1, 7);
        String hashes = here.jdbc().sql("SELECT column_hashes FROM sync_row_state WHERE table_name = 'vals'")
                .query(String.class).single();
        assertThat(hashes).isEqualTo(RowHashes.of(row));
    }

    /**
     * TEXT that is not valid UTF-8 (a Latin-1 'café') is written back as TEXT with the same bytes on each way a row
     * is written: a fresh row in bulk, the one-by-one way of a key holding NULL, and a column filled in later.
     */
    @Test
    void textThatIsNotUtf8IsWrittenAsItsBytesOnEveryWritePath() {
        device(List.of("notes", "pairs"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)",
                "CREATE TABLE pairs (a TEXT, b INTEGER, v, PRIMARY KEY (a, b))");
        NonUtf8Text cafe = new NonUtf8Text(new byte[] {0x63, 0x61, 0x66, (byte) 0xE9});
        NonUtf8Text ff = new NonUtf8Text(new byte[] {(byte) 0xFF});
        Map<String, Object> note = new java.util.LinkedHashMap<>();
        note.put("id", "n1");
        note.put("title", cafe);
        note.put("rating", ff); // a column this device adds later
        Map<String, Object> pair = new java.util.LinkedHashMap<>();
        pair.put("a", "x");
        pair.put("b", null);
        pair.put("v", cafe);
        ChangeEntry first = next(insert("notes", List.of("n1"), note), VersionVector.EMPTY);
        ChangeEntry second = next(insert("pairs", java.util.Arrays.asList("x", null), pair), first.vector());

        assertThat(here.applier().apply(List.of(first, second), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED, Result.APPLIED);
        here.jdbc().sql("ALTER TABLE notes ADD COLUMN rating").update();
        here.applier().schemaChanged(new SchemaChanged(Set.of("notes")));

        assertThat(rows("SELECT hex(title) AS t, typeof(title) AS tt, hex(rating) AS r, typeof(rating) AS rt FROM notes"))
                .containsExactly(Map.of("t", "636166E9", "tt", "text", "r", "FF", "rt", "text"));
        assertThat(rows("SELECT hex(v) AS v, typeof(v) AS vt FROM pairs"))
                .containsExactly(Map.of("v", "636166E9", "vt", "text"));
        assertThat(here.held().count()).isZero();
        // the states hold the hashes of those bytes, so the rows do not look changed to the next capture or scan
        assertThat(here.jdbc().sql("SELECT column_hashes FROM sync_row_state WHERE table_name = 'pairs'")
                .query(String.class).single()).isEqualTo(RowHashes.of(pair));
    }

    /**
     * A child whose reference to its parent is TEXT that is not valid UTF-8 finds the parent: the look-up binds the
     * reference's bytes as the parent holds them, not the text of a Java object, so it is no orphan.
     */
    @Test
    void aReferenceHoldingTextThatIsNotUtf8FindsItsParent() {
        device(List.of("parent", "child"), "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
                "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent (name))");
        List<String> orphans = new java.util.ArrayList<>();
        here.addBean("policy", new ConcurrentEditPolicy() {
            @Override
            public Settled decide(ChangeEntry remote, RowState local, Map<String, Object> localRow, RowAccess rows) {
                return ConcurrentEditPolicy.LATEST_WINS.decide(remote, local, localRow, rows);
            }

            @Override
            public void orphaned(String table, String recordId, Map<String, Object> child, String parentTable,
                                 RowAccess rows) {
                orphans.add(table + recordId);
            }
        });
        NonUtf8Text cafe = new NonUtf8Text(new byte[] {0x63, 0x61, 0x66, (byte) 0xE9});
        Map<String, Object> parent = new java.util.LinkedHashMap<>();
        parent.put("id", 1L);
        parent.put("name", cafe);
        Map<String, Object> child = new java.util.LinkedHashMap<>();
        child.put("id", "c1");
        child.put("parent", cafe);
        ChangeEntry p = next(insert("parent", List.of(1L), parent), VersionVector.EMPTY);
        ChangeEntry c = next(insert("child", List.of("c1"), child), p.vector());

        assertThat(here.applier().apply(List.of(p, c), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED, Result.APPLIED);
        assertThat(rows("SELECT COUNT(*) AS n FROM child JOIN parent ON child.parent = parent.name"))
                .containsExactly(Map.of("n", 1));
        assertThat(orphans).isEmpty();
    }

    @Test
    void holdsAnEntryTheTableRefusesWhileLaterEntriesOfTheOriginApplyAndLaterEntriesOfTheRowWait() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)");
        ChangeEntry bad = next(insert("notes", List.of("n1"), nullTitle("n1")), VersionVector.EMPTY);
        ChangeEntry other = next(insert("notes", List.of("n2"), Map.of("id", "n2", "title", "fine")), VersionVector.EMPTY);

        List<ApplyOutcome> out = here.applier().apply(List.of(bad, other), bob.id());

        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.HELD, Result.APPLIED);
        assertThat(out.get(0).reason()).isEqualTo(HoldReason.NOT_NULL);
        assertThat(here.held().countsByReason()).containsExactly(Map.entry(HoldReason.NOT_NULL, 1L));
        assertThat(here.held().countDeliveredBy(bob.id())).isEqualTo(1);
        assertThat(here.held().oldestHeldAt()).isPresent();
        assertThat(here.tracker().versionVector().get(bob.id())).isEqualTo(2); // stored: the chain goes on

        // A later entry of the held row, made on another device's edit, waits behind it ...
        RemoteDevice someone = new RemoteDevice();
        ChangeEntry elsewhere = someone.next(insert("notes", List.of("n9"), Map.of("id", "n9", "title", "s")),
                VersionVector.EMPTY, hlc += 1 << 16);
        here.applier().apply(List.of(elsewhere), someone.id());
        ChangeEntry sameRowConcurrent = next(insert("notes", List.of("n1"), Map.of("id", "n1", "title", "x")),
                elsewhere.vector());
        assertThat(here.applier().apply(List.of(sameRowConcurrent), bob.id()).get(0).reason())
                .isEqualTo(HoldReason.WAITING_BEHIND);
        assertThat(rows("SELECT id FROM notes ORDER BY id")).containsExactly(Map.of("id", "n2"), Map.of("id", "n9"));

        // ... and an edit made on top of the held one replaces it: both held ones are done, the row applies.
        ChangeEntry fix = next(update("notes", List.of("n1"), Map.of("id", "n1", "title", "fixed"), "[\"title\"]"),
                bad.vector().merge(sameRowConcurrent.vector()));
        here.applier().apply(List.of(fix), bob.id());

        assertThat(rows("SELECT id, title FROM notes ORDER BY id"))
                .containsExactly(Map.of("id", "n1", "title", "fixed"), Map.of("id", "n2", "title", "fine"),
                        Map.of("id", "n9", "title", "s"));
        assertThat(here.held().count()).isZero();
        assertThat(here.held().oldestHeldAt()).as("nothing held: no time, and no error").isEmpty();
    }

    @Test
    void aHoldBehindMoreThanOnePassOfHoldsThatNeverClearIsRetriedToo() {
        ApplyOutcome clashed = moreThanAPassOfHoldsThenAClash();
        EntryRef clash = clashed.entry();
        assertThat(clashed.reason()).isEqualTo(HoldReason.UNIQUE);

        here.write("DELETE FROM users WHERE id = 'mine'"); // the clash is gone; the NOT NULL holds stay
        here.applier().retryHeld(false);

        assertThat(rows("SELECT id, email FROM users")).containsExactly(Map.of("id", "theirs", "email", "e@x"));
        assertThat(here.held().find(clash)).isEmpty();
        assertThat(here.held().count()).isEqualTo(RemoteChangeApplier.MAX_RETRIES_PER_PASS + 1);
    }

    @Test
    void retriesInsideApplyMoveOnPastHoldsThatNeverClear() {
        EntryRef clash = moreThanAPassOfHoldsThenAClash().entry();
        here.write("DELETE FROM users WHERE id = 'mine'");

        // every arrival retries one bounded pass; passes go round, so the clash's turn comes
        for (int i = 0; i < 3 && here.held().find(clash).isPresent(); i++) {
            here.applier().apply(List.of(next(insert("notes", List.of("ok" + i), Map.of("id", "ok" + i, "title", "t")),
                    VersionVector.EMPTY)), bob.id());
        }

        assertThat(here.held().find(clash)).isEmpty();
        assertThat(rows("SELECT id FROM users")).containsExactly(Map.of("id", "theirs"));
    }

    /**
     * One more NOT NULL hold than a retry pass takes, that never clears, then an entry held behind them all
     * for a UNIQUE clash with this device's row 'mine'; answers that entry's outcome.
     */
    private ApplyOutcome moreThanAPassOfHoldsThenAClash() {
        device(List.of("notes", "users"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)",
                "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE)");
        here.write("INSERT INTO users VALUES ('mine', 'e@x')");
        List<ChangeEntry> stuck = new java.util.ArrayList<>();
        for (int i = 0; i <= RemoteChangeApplier.MAX_RETRIES_PER_PASS; i++) {
            stuck.add(next(insert("notes", List.of("n" + i), nullTitle("n" + i)), VersionVector.EMPTY));
        }
        ChangeEntry clash = next(insert("users", List.of("theirs"), Map.of("id", "theirs", "email", "e@x")),
                VersionVector.EMPTY);
        here.applier().apply(stuck, bob.id());
        return here.applier().apply(List.of(clash), bob.id()).get(0);
    }

    @Test
    void aFailedWriteLeavesNothingOfItsEntryBehind() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)");
        ChangeEntry bad = next(insert("notes", List.of("n1"), nullTitle("n1")), VersionVector.EMPTY);
        here.applier().apply(List.of(bad), bob.id());
        assertThat(rows("SELECT * FROM notes")).isEmpty();
        assertThat(rows("SELECT * FROM sync_row_state WHERE table_name = 'notes'")).isEmpty();
        assertThat(here.jdbc().sql("SELECT applying FROM sync_apply_guard").query(Integer.class).single()).isZero();
    }

    @Test
    void holdsAnEntryForATableNotTrackedHereAndKeepsItsChain() {
        device(List.of());
        ChangeEntry e = next(insert("elsewhere", List.of(1L), Map.of("id", 1L)), VersionVector.EMPTY);
        ChangeEntry kv = next(insert("sync_kv", List.of("k"), Map.of("key", "k", "value", "v", "timestamp", "2026-01-01T00:00:00Z")),
                VersionVector.EMPTY);

        List<ApplyOutcome> out = here.applier().apply(List.of(e, kv), bob.id());

        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.HELD, Result.APPLIED);
        assertThat(out.get(0).reason()).isEqualTo(HoldReason.MISSING_TABLE);
        assertThat(here.held().list(10)).singleElement().satisfies(h -> assertThat(h.entry()).isEqualTo(EntryRef.of(e)));
        assertThat(here.applier().retryHeld(true)).isZero(); // still not tracked: stays held
    }

    @Test
    void appliesTheColumnsItHasAndTheMissingColumnsValueOnceTheSchemaHasIt() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)");
        ChangeEntry e = next(insert("notes", List.of("n1"), Map.of("id", "n1", "title", "t", "rating", 4L)),
                VersionVector.EMPTY);

        ApplyOutcome out = here.applier().apply(List.of(e), bob.id()).get(0);

        assertThat(out.result()).isEqualTo(Result.APPLIED);
        assertThat(rows("SELECT id, title FROM notes")).containsExactly(Map.of("id", "n1", "title", "t"));
        assertThat(here.held().find(EntryRef.of(e))).hasValueSatisfying(h -> {
            assertThat(h.reason()).isEqualTo(HoldReason.MISSING_COLUMN);
            assertThat(h.partial()).isTrue();
        });

        here.jdbc().sql("ALTER TABLE notes ADD COLUMN rating INTEGER").update();
        here.applier().schemaChanged(new SchemaChanged(Set.of("notes")));

        assertThat(rows("SELECT rating FROM notes")).containsExactly(Map.of("rating", 4));
        assertThat(here.held().count()).isZero();
    }

    @Test
    void aLaterWriteOfTheMissingColumnWinsOverTheHeldValue() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)");
        ChangeEntry first = next(insert("notes", List.of("n1"), Map.of("id", "n1", "title", "t", "rating", 4L)),
                VersionVector.EMPTY);
        ChangeEntry second = next(update("notes", List.of("n1"), Map.of("id", "n1", "title", "t", "rating", 5L),
                "[\"rating\"]"), first.vector());
        here.applier().apply(List.of(first, second), bob.id());

        here.jdbc().sql("ALTER TABLE notes ADD COLUMN rating INTEGER").update();
        here.applier().schemaChanged(new SchemaChanged(Set.of("notes")));

        assertThat(rows("SELECT rating FROM notes")).containsExactly(Map.of("rating", 5));
        assertThat(here.held().count()).isZero();
    }

    /**
     * The app adds the column a partly held entry waits for and writes it, and the capture poll follows the schema
     * (which retries the holds) before it seals: the app's write, made after the held value arrived, stays and
     * is sealed for the others, instead of the held value being written over it unseen.
     */
    @Test
    void theAppsWriteOfTheNewColumnIsSealedBeforeTheHeldValueIsRetriedOverIt() {
        aNoteWhoseRatingIsHeld();

        theAppAddsTheRatingColumnAndWrites("UPDATE notes SET rating = 9 WHERE id = 'n1'");

        assertThat(rows("SELECT rating FROM notes")).containsExactly(Map.of("rating", 9));
        assertThat(here.tracker().versionVector().get(here.id())).as("the app's write is in the log").isEqualTo(1);
        assertThat(here.tracker().find(new EntryRef(here.id(), 1)))
                .hasValueSatisfying(mine -> assertThat(mine.data()).contains("\"rating\":9"));
        assertThat(here.held().count()).isZero();
    }

    /** As above, with the app changing another column of the row: that change still reaches the others. */
    @Test
    void theAppsChangeOfAnotherColumnIsSealedWhenAPartlyHeldEntryIsFilledIn() {
        aNoteWhoseRatingIsHeld();

        theAppAddsTheRatingColumnAndWrites("UPDATE notes SET title = 'mine' WHERE id = 'n1'");

        assertThat(rows("SELECT title, rating FROM notes")).containsExactly(Map.of("title", "mine", "rating", 4));
        assertThat(here.tracker().find(new EntryRef(here.id(), 1)))
                .as("the title change is in the log for the others")
                .hasValueSatisfying(mine -> assertThat(mine.data()).contains("\"title\":\"mine\""));
    }

    /**
     * A hold retried by the timer after the app freed the value it clashed with and, in the same transaction,
     * renamed the held row, before the capture poll sealed that: the rename is sealed before the retry, so it is
     * neither lost nor overwritten unseen.
     */
    @Test
    void aRetriedHoldMeetsTheAppsPendingWriteOfItsRowAsSealed() {
        device(List.of("users"), "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT)");
        ChangeEntry created = next(insert("users", List.of("u1"), Map.of("id", "u1", "email", "a@x", "name", "Ann")),
                VersionVector.EMPTY);
        here.applier().apply(List.of(created), bob.id());
        here.write("INSERT INTO users VALUES ('u2', 'b@x', 'Bea')");
        ChangeEntry moved = next(update("users", List.of("u1"), Map.of("id", "u1", "email", "b@x", "name", "Ann"),
                "[\"email\"]"), created.vector());
        assertThat(here.applier().apply(List.of(moved), bob.id()).get(0).result()).isEqualTo(Result.HELD);
        long mine = here.tracker().versionVector().get(here.id());

        here.tx().executeWithoutResult(s -> {
            here.jdbc().sql("UPDATE users SET email = 'c@x' WHERE id = 'u2'").update();
            here.jdbc().sql("UPDATE users SET name = 'Annie' WHERE id = 'u1'").update();
        });
        here.applier().retryHeld(true);
        here.tracker().sealPending();

        assertThat(rows("SELECT name FROM users WHERE id = 'u1'")).containsExactly(Map.of("name", "Annie"));
        assertThat(here.tracker().versionVector().get(here.id())).as("both of the app's writes are in the log")
                .isEqualTo(mine + 2);
    }

    /**
     * Covering a vector (a resolution about to be logged) seals the app's pending write of the row first, so that
     * write's base says what it saw, not the entries the resolution covers.
     */
    @Test
    void coveringAVectorSealsTheAppsPendingWriteOfTheRowFirst() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)");
        here.write("INSERT INTO notes VALUES ('n1', 'one')");
        here.jdbc().sql("UPDATE notes SET title = 'two' WHERE id = 'n1'").update(); // captured, not sealed yet
        VersionVector theirs = VersionVector.of(Map.of(bob.id(), 7L));

        here.applier().cover("notes", "[\"n1\"]", theirs);
        here.tracker().sealPending();

        assertThat(here.tracker().find(new EntryRef(here.id(), 2))).hasValueSatisfying(update -> {
            assertThat(update.data()).contains("\"title\":\"two\"");
            assertThat(update.base().get(bob.id())).as("the write never saw bob's entries").isZero();
        });
    }

    /** Bob's note n1 with a rating this file has no column for: applied without it, the rating held. */
    private void aNoteWhoseRatingIsHeld() {
        device(List.of("notes"), "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT)");
        here.applier().apply(List.of(next(insert("notes", List.of("n1"), Map.of("id", "n1", "title", "t", "rating", 4L)),
                VersionVector.EMPTY)), bob.id());
    }

    /**
     * The app's migration adds the rating column, and the app makes {@code write} (captured, not sealed yet); then
     * the capture poll runs as the node's does: it follows the schema (which retries the holds), then seals.
     */
    private void theAppAddsTheRatingColumnAndWrites(String write) {
        here.jdbc().sql("ALTER TABLE notes ADD COLUMN rating INTEGER").update();
        here.jdbc().sql(write).update();
        here.followSchema();
        here.tracker().sealPending();
    }

    private static Map<String, Object> nullTitle(String id) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", id);
        row.put("title", null);
        return row;
    }
}
