package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ColumnHistory.Column;
import io.p2psync.changes.ColumnHistory.Fate;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telling a renamed column from a dropped one: first from the declarations alone, then on a real SQLite file that
 * the app (Debian's sqlite3) migrates between two looks of the node, as when it upgrades while the node is stopped.
 */
class ColumnHistoryTest {

    private static Column col(String name) {
        return new Column(name, "", false, null, 0);
    }

    private static Column col(String name, String type, boolean notNull, String dflt) {
        return new Column(name, type, notNull, dflt, 0);
    }

    @Test
    void asManyColumnsInThePlaceOfGoneOnesDeclaredAlikeAreThemRenamed() {
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a"), col("c")), List.of(col("k"), col("b"), col("c"))))
                .containsExactly(Fate.renamed("a", "b"));
        // two neighbours renamed at once pair in order
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a1"), col("a2"), col("c")),
                List.of(col("k"), col("b1"), col("b2"), col("c"))))
                .containsExactly(Fate.renamed("a1", "b1"), Fate.renamed("a2", "b2"));
    }

    @Test
    void aColumnWithNoNewOneDeclaredAlikeInItsPlaceIsDropped() {
        // ADD COLUMN appends: the new column is not in the gone one's place
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a"), col("c")), List.of(col("k"), col("c"), col("b"))))
                .containsExactly(Fate.dropped("a"));
        // in its place, but declared otherwise
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a", "INTEGER", false, null), col("c")),
                List.of(col("k"), col("b", "TEXT", false, null), col("c"))))
                .containsExactly(Fate.dropped("a"));
    }

    @Test
    void whereAnAddedColumnCouldStandOrTheCountsDifferTheRowsDecide() {
        Fate undecided = new Fate("a", List.of("b"), false);
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a")), List.of(col("k"), col("b"))))
                .containsExactly(undecided);
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a")), List.of(col("k"), col("b"), col("c"))))
                .as("renamed and another added, or dropped and two added").containsExactly(new Fate("a", List.of("b", "c"), false));
        // DROP COLUMN flag; RENAME COLUMN pinned TO starred: which of the two is starred?
        assertThat(ColumnHistory.fates(List.of(col("id"), col("flag"), col("pinned"), col("title")),
                List.of(col("id"), col("starred"), col("title"))))
                .containsExactly(new Fate("flag", List.of("starred"), false), new Fate("pinned", List.of("starred"), false));
    }

    @Test
    void aRebuiltTableWhoseColumnsChangedOrderHasNoRenames() {
        assertThat(ColumnHistory.fates(List.of(col("k"), col("x"), col("a"), col("y")),
                List.of(col("k"), col("y"), col("b"), col("x"))))
                .containsExactly(Fate.dropped("a"));
    }

    @TempDir
    Path dir;
    private StandaloneDevice device;
    private SqliteCli app;

    /** The node's file with three notes it has sealed, and the app (Debian's sqlite3) writing to it. */
    @BeforeEach
    void open() {
        Path file = dir.resolve("app.db");
        device = new StandaloneDevice(file, List.of("notes"), System::currentTimeMillis, List.of(
                "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT, pinned INTEGER NOT NULL DEFAULT 0)",
                "INSERT INTO notes VALUES ('n1', 'one', 1), ('n2', 'two', 0), ('n3', 'three', 1)"));
        device.scan().scan(List.of("notes"));
        app = new SqliteCli(file);
    }

    @AfterEach
    void close() {
        device.close();
    }

    /** The node looks at the schema, as its capture poll does after the app changed it. */
    private FormerColumns look() {
        device.followSchema();
        return device.tables().get("notes").formerColumns();
    }

    @Test
    void theFirstLookKnowsNoFormerColumns() {
        assertThat(look()).isEqualTo(FormerColumns.NONE);
        assertThat(look()).isEqualTo(FormerColumns.NONE);
    }

    @Test
    void theLastColumnRenamedKeepsItsValuesSoItIsARename() {
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN pinned TO starred;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of("pinned", "starred"), Set.of()));
    }

    @Test
    void theLastColumnDroppedAndAnotherAddedAndWrittenIsADropThoughTheWriteEqualsTheOldValue() {
        look();
        app.exec("ALTER TABLE notes DROP COLUMN pinned; ALTER TABLE notes ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;"
                + "UPDATE notes SET starred = 1 WHERE id = 'n1';");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of(), Set.of("pinned")));
    }

    @Test
    void renamesAreFollowedThroughAChainAndANameAddedAgainIsNoLongerFormer() {
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN title TO heading;");
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN heading TO subject;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of("title", "subject", "heading", "subject"), Set.of()));
        app.exec("ALTER TABLE notes DROP COLUMN subject;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of(), Set.of("title", "heading", "subject")));
        app.exec("ALTER TABLE notes ADD COLUMN title TEXT;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of(), Set.of("heading", "subject")));
    }

    @Test
    void aRowSealedBeforeTheNodeLookedAtTheSchemaDoesNotMakeADropLookLikeARename() {
        Path file = dir.resolve("d.db");
        try (StandaloneDevice tasks = new StandaloneDevice(file, List.of("tasks"), System::currentTimeMillis, List.of(
                "CREATE TABLE tasks (id TEXT PRIMARY KEY, title TEXT, done INTEGER NOT NULL DEFAULT 0)",
                "INSERT INTO tasks VALUES ('t1', 'one', 1), ('t2', 'two', 1)"))) {
            tasks.scan().scan(List.of("tasks"));
            SqliteCli tasksApp = new SqliteCli(file);
            tasksApp.exec("ALTER TABLE tasks DROP COLUMN done;"
                    + "ALTER TABLE tasks ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;"
                    + "UPDATE tasks SET finished = 1 WHERE id = 't1';");
            // a received round seals the app's write before the capture poll looks at the schema
            tasks.tracker().sealPending();
            tasks.followSchema();
            assertThat(tasks.tables().get("tasks").formerColumns())
                    .isEqualTo(new FormerColumns(Map.of(), Set.of("done")));

            tasksApp.exec("UPDATE tasks SET finished = 1 WHERE id = 't2';");
            tasks.tracker().sealPending();
            assertThat(tasks.jdbc().sql("SELECT changed_columns FROM sync_log WHERE record_id = '[\"t2\"]' ORDER BY id")
                    .query(String.class).list()).containsExactly(null, "[\"finished\"]");
        }
    }

    @Test
    void aNewNameThatAnEarlierRenameLedToIsNotWhereThatRenameLeadsNow() {
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN title TO text;");
        look();
        app.exec("ALTER TABLE notes DROP COLUMN text;");
        look();
        app.exec("ALTER TABLE notes ADD COLUMN text TEXT;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of(), Set.of("title")));
        // and the same when another column is renamed to that name
        app.exec("ALTER TABLE notes DROP COLUMN text;");
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN pinned TO text;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of("pinned", "text"), Set.of("title")));
    }

    /** Another table in a file of its own, its rows sealed, with the app writing to it. */
    private StandaloneDevice deviceWith(String name, String... schema) {
        Path file = dir.resolve(name + ".db");
        StandaloneDevice other = new StandaloneDevice(file, List.of(name), System::currentTimeMillis, List.of(schema));
        other.scan().scan(List.of(name));
        return other;
    }

    @Test
    void aColumnDroppedNextToOneRenamedIsToldApartByTheRows() {
        try (StandaloneDevice d = deviceWith("items",
                "CREATE TABLE items (id TEXT PRIMARY KEY, flag INTEGER, pinned INTEGER, title TEXT)",
                "INSERT INTO items VALUES ('r1', 1, 0, 'a'), ('r2', 0, 1, 'b'), ('r3', 1, 1, 'c')")) {
            SqliteCli items = new SqliteCli(dir.resolve("items.db"));
            items.exec("ALTER TABLE items DROP COLUMN flag; ALTER TABLE items RENAME COLUMN pinned TO starred;");
            d.followSchema();
            assertThat(d.tables().get("items").formerColumns())
                    .isEqualTo(new FormerColumns(Map.of("pinned", "starred"), Set.of("flag")));

            // r1 held flag 1 and pinned 0: starring it is a change
            items.exec("UPDATE items SET starred = 1 WHERE id = 'r1';");
            d.tracker().sealPending();
            assertThat(d.jdbc().sql("SELECT changed_columns FROM sync_log WHERE record_id = '[\"r1\"]' ORDER BY id")
                    .query(String.class).list()).containsExactly(null, "[\"starred\"]");
        }
    }

    @Test
    void aDefaultThatIsABareWordIsThatText() {
        try (StandaloneDevice d = deviceWith("items",
                "CREATE TABLE items (id TEXT PRIMARY KEY, status TEXT DEFAULT active)",
                "INSERT INTO items VALUES ('i1', 'open'), ('i2', 'active')")) {
            assertThat(d.tables().get("items").defaults()).containsEntry("status", "active");
            new SqliteCli(dir.resolve("items.db")).exec("ALTER TABLE items RENAME COLUMN status TO state;");
            d.followSchema();
            assertThat(d.tables().get("items").formerColumns())
                    .isEqualTo(new FormerColumns(Map.of("status", "state"), Set.of()));
        }
    }

    private List<String> changedColumns(String recordId) {
        return device.jdbc().sql("SELECT changed_columns FROM sync_log WHERE record_id = ? ORDER BY id").param(recordId)
                .query(String.class).list();
    }

    @Test
    void aTableTheAppRebuiltHasNoRenamedColumnsThoughOneStandsInAGoneOnesPlace() {
        app.exec("UPDATE notes SET pinned = 0 WHERE id = 'n3';"); // only n1 pinned: its write alone tells
        device.tracker().sealPending();
        // SQLite's usual rebuild, starred declared as pinned was and in its place; the write leaves no capture
        app.exec("CREATE TABLE notes_new (id TEXT PRIMARY KEY, title TEXT, starred INTEGER NOT NULL DEFAULT 0);"
                + "INSERT INTO notes_new (id, title) SELECT id, title FROM notes; DROP TABLE notes;"
                + "ALTER TABLE notes_new RENAME TO notes; UPDATE notes SET starred = 1 WHERE id IN ('n1', 'n3');");
        assertThat(look()).as("dropped, but starred may be pinned renamed: unsure")
                .isEqualTo(new FormerColumns(Map.of(), Set.of("pinned"), Set.of("pinned")));
        // row by row, a value the unsure drop's column held is taken for that column's, not for a write: a table
        // re-created to rename a column would otherwise be sealed anew row by row (TableRebuiltByTheAppTest)
        assertThat(changedColumns("[\"n1\"]")).as("n1's starred holds what its pinned held: no write")
                .containsExactly((String) null);
        assertThat(changedColumns("[\"n3\"]")).as("n3's starred differs from its pinned: sealed by the owed scan")
                .endsWith("[\"starred\"]");
    }

    /**
     * A rebuild that drops pinned and adds starred, declared alike, with every row at starred's default (an unsure
     * drop: a rebuilt table shows nothing), and later the user sets starred where pinned was set. The triggers see
     * it: it travels, though it equals what the gone column held.
     */
    @Test
    void aWriteTheTriggersSeeAfterAnUnsureDropTravelsThoughItEqualsTheGoneColumnsValue() {
        app.exec("CREATE TABLE notes_new (id TEXT PRIMARY KEY, title TEXT, starred INTEGER NOT NULL DEFAULT 0);"
                + "INSERT INTO notes_new (id, title) SELECT id, title FROM notes; DROP TABLE notes;"
                + "ALTER TABLE notes_new RENAME TO notes;");
        assertThat(look().unsure()).containsExactly("pinned");
        assertThat(changedColumns("[\"n1\"]")).as("starred at its default: nothing sealed").containsExactly((String) null);

        app.exec("UPDATE notes SET starred = 1 WHERE id = 'n1';");
        device.tx().executeWithoutResult(s -> device.tracker().sealPending());

        assertThat(changedColumns("[\"n1\"]")).containsExactly(null, "[\"starred\"]");
    }

    /**
     * A rebuild that renames pinned to starred (declared without a default, values copied) and adds archived, with
     * a default of 0, before it. A row whose pinned was 0 holds 0 in both: archived, at its default, is no write and
     * must not take pinned's value from starred, which would then count as written and be sealed anew.
     */
    @Test
    void aNewColumnAtItsDefaultDoesNotTakeTheGoneColumnFromTheOneThatHoldsItsValues() {
        app.exec("CREATE TABLE notes_new (id TEXT PRIMARY KEY, title TEXT, archived INTEGER NOT NULL DEFAULT 0,"
                + " starred INTEGER NOT NULL); INSERT INTO notes_new (id, title, starred) SELECT id, title, pinned FROM notes;"
                + " DROP TABLE notes; ALTER TABLE notes_new RENAME TO notes;");
        assertThat(look().unsure()).containsExactly("pinned");

        assertThat(changedColumns("[\"n1\"]")).as("starred holds pinned's 1").containsExactly((String) null);
        assertThat(changedColumns("[\"n2\"]")).as("starred holds pinned's 0; archived its default")
                .containsExactly((String) null);
        // the scan keeps the states under the new names: a later write of starred is compared with starred
        app.exec("UPDATE notes SET starred = 0 WHERE id = 'n1';");
        device.tx().executeWithoutResult(s -> device.tracker().sealPending());
        assertThat(changedColumns("[\"n1\"]")).containsExactly(null, "[\"starred\"]");
    }

    @Test
    void aNameDroppedAndAddedAgainLaterIsNotComparedWithWhatTheOldColumnHeld() {
        app.exec("ALTER TABLE notes DROP COLUMN pinned;");
        look();
        app.exec("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;");
        look();
        app.exec("UPDATE notes SET pinned = 1 WHERE id = 'n1';"); // n1 held 1 in the old pinned
        device.tracker().sealPending();
        assertThat(changedColumns("[\"n1\"]")).containsExactly(null, "[\"pinned\"]");
    }

    @Test
    void aColumnRenamedAndRenamedBackIsTheSameColumnAndNoRowLooksChanged() {
        app.exec("ALTER TABLE notes RENAME COLUMN pinned TO starred;");
        look();
        app.exec("ALTER TABLE notes RENAME COLUMN starred TO pinned;");
        assertThat(look()).isEqualTo(new FormerColumns(Map.of("starred", "pinned"), Set.of()));
        app.exec("UPDATE notes SET title = 'edited' WHERE id = 'n1';");
        device.tracker().sealPending();
        assertThat(changedColumns("[\"n1\"]")).containsExactly(null, "[\"title\"]");
        assertThat(device.scan().scan(List.of("notes"))).singleElement()
                .satisfies(scan -> assertThat(scan.sealed()).as("no row looks changed").isZero());
    }
}
