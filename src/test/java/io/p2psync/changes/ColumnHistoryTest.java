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
    void aColumnInThePlaceOfAGoneOneDeclaredAlikeIsItRenamed() {
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a"), col("c")), List.of(col("k"), col("b"), col("c"))))
                .containsExactly(new Fate("a", "b", true));
        // two neighbours renamed at once pair in order
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a1"), col("a2"), col("c")),
                List.of(col("k"), col("b1"), col("b2"), col("c"))))
                .containsExactly(new Fate("a1", "b1", true), new Fate("a2", "b2", true));
    }

    @Test
    void aColumnDroppedFromTheMiddleWithAnotherAddedIsDropped() {
        // ADD COLUMN appends: the new column is not in the gone one's place
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a"), col("c")), List.of(col("k"), col("c"), col("b"))))
                .containsExactly(new Fate("a", null, true));
        // in its place, but declared otherwise
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a", "INTEGER", false, null), col("c")),
                List.of(col("k"), col("b", "TEXT", false, null), col("c"))))
                .containsExactly(new Fate("a", null, true));
    }

    @Test
    void atTheEndOfTheTableOnlyWhatAddColumnCannotMakeIsSurelyARename() {
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a")), List.of(col("k"), col("b"))))
                .containsExactly(new Fate("a", "b", false));
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a", "INTEGER", true, null)),
                List.of(col("k"), col("b", "INTEGER", true, null))))
                .as("NOT NULL without a default cannot be added").containsExactly(new Fate("a", "b", true));
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a", "TEXT", false, "CURRENT_TIMESTAMP")),
                List.of(col("k"), col("b", "TEXT", false, "CURRENT_TIMESTAMP"))))
                .as("a default that varies cannot be added").containsExactly(new Fate("a", "b", true));
        // a rename at the end and a column added after it
        assertThat(ColumnHistory.fates(List.of(col("k"), col("a")), List.of(col("k"), col("b"), col("c"))))
                .containsExactly(new Fate("a", "b", false));
    }

    @Test
    void aRebuiltTableWhoseColumnsChangedOrderHasNoRenames() {
        assertThat(ColumnHistory.fates(List.of(col("k"), col("x"), col("a"), col("y")),
                List.of(col("k"), col("y"), col("b"), col("x"))))
                .containsExactly(new Fate("a", null, true));
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
}
