package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app on device A renames a column by re-creating its table (SQLite's usual way to change a table, and what
 * ORMs' migrations do): a new table, its rows copied over, the old one dropped, the new one renamed. Capture cannot
 * tell that rename from a drop and an add (an unsure drop), but the rows still hold the values the device last
 * sealed. Device B ran the same migration as a plain RENAME COLUMN and then edited the row. Before, A's scan after
 * the re-creation sealed every row anew with its old value, stamped as of the scan, and that write replaced B's
 * newer edit on both devices: silently when A had B's edit already, by the conflict policy's clock when not.
 */
class TableRebuiltByTheAppTest {

    private static final String SCHEMA = "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER, title TEXT);";
    private static final String REBUILD_WITH_NAME = "CREATE TABLE notes_new (id TEXT PRIMARY KEY, flag INTEGER, name TEXT);"
            + "INSERT INTO notes_new SELECT id, flag, title FROM notes; DROP TABLE notes;"
            + "ALTER TABLE notes_new RENAME TO notes;";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @BeforeEach
    void bothDevicesHoldTheRow() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "notes", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "notes", SCHEMA);
        app("a").exec("INSERT INTO notes VALUES ('n1', 1, 'old'), ('n2', 2, 'other');");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        assertThat(toB()).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        // B migrates first, by RENAME COLUMN (its rows show the values stayed), and edits the renamed column
        app("b").exec("ALTER TABLE notes RENAME COLUMN title TO name;");
        b.followSchema();
        assertThat(b.tables().get("notes").formerColumns().renamedTo()).containsEntry("title", "name");
        app("b").exec("UPDATE notes SET name = 'new' WHERE id = 'n1';");
        b.tx().executeWithoutResult(s -> b.tracker().sealPending());
    }

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    @Test
    void aRebuildAfterThePeersEditReachedItKeepsThatEdit() {
        assertThat(toA()).as("B's edit of name waits on A, which has no such column yet").isNotEmpty();
        long before = entries(a);

        app("a").exec(REBUILD_WITH_NAME);
        a.followSchema();

        assertThat(a.tables().get("notes").formerColumns().unsure()).containsExactly("title");
        assertThat(entries(a)).as("the rebuild wrote nothing new into A's rows: nothing to seal").isEqualTo(before);
        exchange();
        assertThat(app("a").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'other'");
        assertThat(app("b").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'other'");
    }

    @Test
    void aRebuildBeforeThePeersEditReachedItKeepsThatEdit() {
        long before = entries(a);

        app("a").exec(REBUILD_WITH_NAME);
        a.followSchema();

        assertThat(entries(a)).as("the rebuild wrote nothing new into A's rows: nothing to seal").isEqualTo(before);
        exchange();
        assertThat(app("a").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'other'");
        assertThat(app("b").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'other'");
        assertThat(a.jdbc().sql("SELECT COUNT(*) FROM sync_conflicts").query(Long.class).single()).isZero();
    }

    @Test
    void aValueTheAppChangedWhileRebuildingStillTravels() {
        app("a").exec(REBUILD_WITH_NAME + "UPDATE notes SET name = 'changed in the migration' WHERE id = 'n2';");
        a.followSchema();

        exchange();
        assertThat(app("b").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'changed in the migration'");
        assertThat(app("a").dump("notes")).containsExactly("'n1'|1|'new'", "'n2'|2|'changed in the migration'");
    }

    /**
     * The node put its triggers back on the re-created table, and the app edits another column of the row before the
     * scan the table is owed came to it: the entry names that column alone, not the copied one, so a policy that
     * merges column by column keeps B's edit of name (this device's applier without a policy settles the row whole).
     */
    @Test
    void anEditOfAnotherColumnBeforeTheScanDoesNotSendTheCopiedValueAnew() {
        app("a").exec(REBUILD_WITH_NAME);
        assertThat(a.followSchemaWithoutScan()).containsExactly("notes");
        app("a").exec("UPDATE notes SET flag = 5 WHERE id = 'n1';");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        assertThat(a.jdbc().sql("SELECT changed_columns FROM sync_log WHERE record_id = '[\"n1\"]' ORDER BY id DESC LIMIT 1")
                .query(String.class).single()).as("what A's entry says it wrote").isEqualTo("[\"flag\"]");
        a.scan().scan(List.of("notes"));

        exchange();
        assertThat(app("a").dump("notes")).isEqualTo(app("b").dump("notes")).contains("'n2'|2|'other'");
    }

    /** Both ways until neither has anything new for the other, sealing what the app wrote first, as rounds do. */
    private void exchange() {
        for (int i = 0; i < 3; i++) {
            a.tx().executeWithoutResult(s -> a.tracker().sealPending());
            b.tx().executeWithoutResult(s -> b.tracker().sealPending());
            toA();
            toB();
        }
    }

    private List<ApplyOutcome> toA() {
        return a.applier().apply(b.tracker().missingFrom(a.tracker().versionVector(), 100), b.id());
    }

    private List<ApplyOutcome> toB() {
        return b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
    }

    /** How many entries the device itself has sealed. */
    private static long entries(StandaloneDevice d) {
        return d.tracker().versionVector().get(d.id());
    }

    private SqliteCli app(String device) {
        return new SqliteCli(dir.resolve(device + ".db"));
    }
}
