package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app on device B renames a column in a way capture cannot tell from a drop and an add: the last column, with no
 * row to show its values stayed (here the migration rewrites them at once), or by re-creating the table. Device A's
 * app, not migrated yet, still writes the column under its old name. Before, B took the column for dropped and
 * discarded A's writes of it for good, with nothing held and health UP, so the two files stayed different. Now such
 * a column counts as dropped only where no column declared alike came in its place; otherwise the writes wait (held
 * as {@code missing-column}) until a peer that followed the change says what it was: a rename places them, a drop
 * discards them.
 */
class UnsureRenameTest {

    private static final String SCHEMA = "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER, title TEXT);";
    /** A rename of the last column while no row holds a value in it: nothing shows the values stayed. */
    private static final String RENAME = "ALTER TABLE notes RENAME COLUMN title TO name;";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    @Test
    void aRenameTakenForADropAndAnAddHoldsTheOldNamesWritesInsteadOfDiscardingThem() {
        start();
        app("b").exec(RENAME);
        b.followSchema();
        assertThat(b.tables().get("notes").formerColumns().unsure()).containsExactly("title");

        List<ApplyOutcome> out = updateOnA("UPDATE notes SET title = 't2', flag = 2 WHERE id = 'n1';");

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.held().count()).as("title's value waits: it may belong in name").isEqualTo(1);
        assertThat(app("b").exec("SELECT id, flag, coalesce(name, 'null') FROM notes;").strip()).isEqualTo("n1|2|null");
    }

    /** The new-user run's case: the migration renames the column and rewrites its rows at once. */
    @Test
    void aRenameFollowedAtOnceByAnUpdateOfTheColumnHoldsTheOldNamesWrites() {
        start();
        app("a").exec("UPDATE notes SET title = ' t1 ';");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
        app("b").exec(RENAME + "UPDATE notes SET name = trim(name);");
        b.followSchema();
        assertThat(b.tables().get("notes").formerColumns().unsure()).containsExactly("title");

        updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");

        assertThat(b.held().count()).as("title's value waits: it may belong in name").isEqualTo(1);
    }

    @Test
    void whenThePeerFollowsTheRenameItsHistoryPlacesTheHeldWrites() {
        start();
        app("b").exec(RENAME);
        b.followSchema();
        updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");
        assertThat(b.held().count()).isEqualTo(1);

        // A's rows show the values stayed, so A knows it was a rename; B takes that in, as a round does
        app("a").exec("ALTER TABLE notes RENAME COLUMN title TO name;");
        a.followSchema();
        assertThat(b.adoptFormerColumns(a.tables().formerColumns())).containsExactly("notes");

        assertThat(b.held().count()).isZero();
        assertThat(b.tables().get("notes").formerColumns().renamedTo()).containsEntry("title", "name");
        assertThat(app("b").exec("SELECT id, flag, name FROM notes;").strip()).isEqualTo("n1|1|t2");
        assertThat(app("a").exec("SELECT id, flag, name FROM notes;").strip()).isEqualTo("n1|1|t2");
    }

    @Test
    void whenThePeerDroppedTheColumnTooTheHeldWritesAreDiscarded() {
        start();
        app("b").exec("ALTER TABLE notes DROP COLUMN title; ALTER TABLE notes ADD COLUMN name TEXT;");
        b.followSchema();
        updateOnA("UPDATE notes SET title = 't2', flag = 3 WHERE id = 'n1';");
        assertThat(b.held().count()).isEqualTo(1);

        app("a").exec("ALTER TABLE notes DROP COLUMN title;");
        a.followSchema();
        assertThat(a.tables().get("notes").formerColumns().dropped()).containsExactly("title");
        b.adoptFormerColumns(a.tables().formerColumns());

        assertThat(b.held().count()).as("a drop both devices made: the value goes with the column").isZero();
        assertThat(b.tables().get("notes").formerColumns().unsure()).isEmpty();
        assertThat(app("b").exec("SELECT id, flag, coalesce(name, 'null') FROM notes;").strip())
                .isEqualTo("n1|3|null");
    }

    @Test
    void aColumnDroppedWithNothingAlikeAddedIsStillDiscardedAtOnce() {
        start();
        app("b").exec("ALTER TABLE notes DROP COLUMN title; ALTER TABLE notes ADD COLUMN size INTEGER;");
        b.followSchema();
        assertThat(b.tables().get("notes").formerColumns().unsure()).isEmpty();

        updateOnA("UPDATE notes SET title = 't2', flag = 4 WHERE id = 'n1';");

        assertThat(b.held().count()).isZero();
        assertThat(app("b").exec("SELECT id, flag FROM notes;").strip()).isEqualTo("n1|4");
    }

    @Test
    void aRenameByReCreatingTheTableHoldsTheOldNamesWritesToo() {
        start();
        app("b").exec("CREATE TABLE notes_new (id TEXT PRIMARY KEY, flag INTEGER, name TEXT);"
                + "INSERT INTO notes_new SELECT id, flag, title FROM notes; DROP TABLE notes;"
                + "ALTER TABLE notes_new RENAME TO notes;");
        b.followSchema();
        assertThat(b.tables().get("notes").formerColumns().unsure()).containsExactly("title");

        updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");

        assertThat(b.held().count()).isEqualTo(1);
    }

    /** B's own record of the rename is what it tells its peers: an unsure drop travels as a drop. */
    @Test
    void anUnsureDropIsNamedAsDroppedToPeersAndAPeersRenameOfAColumnItDidNotSeeGoIsStillTakenIn() {
        start();
        app("b").exec(RENAME);
        b.followSchema();
        assertThat(b.tables().formerColumns().get("notes").dropped()).containsExactly("title");
        updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");
        app("a").exec("ALTER TABLE notes RENAME COLUMN title TO name;");
        a.followSchema();
        assertThat(a.adoptFormerColumns(b.tables().formerColumns())).as("A knows title already: a rename").isEmpty();
        assertThat(a.tables().get("notes").formerColumns().renamedTo()).containsEntry("title", "name");
    }

    private void start() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "notes", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "notes", SCHEMA);
        app("a").exec("INSERT INTO notes VALUES ('n1', 1, NULL);");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        assertThat(b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id()))
                .extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        b.tx().executeWithoutResult(s -> b.tracker().sealPending());
    }

    private SqliteCli app(String device) {
        return new SqliteCli(dir.resolve(device + ".db"));
    }

    private List<ApplyOutcome> updateOnA(String sql) {
        app("a").exec(sql);
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        return b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
    }
}
