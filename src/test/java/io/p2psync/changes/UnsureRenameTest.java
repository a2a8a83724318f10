package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import io.p2psync.wire.PullResponseBody;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * B's app dropped title and added name; A's app drops title too. A peer's drop does not settle B's unsure drop: a
     * peer may lack the column because it skipped the version that renamed it, or because its app is behind. A person
     * who knows says so, and the held value goes.
     */
    @Test
    void aPeersDropDoesNotSettleItAPersonDoes() {
        start();
        app("b").exec("ALTER TABLE notes DROP COLUMN title; ALTER TABLE notes ADD COLUMN name TEXT;");
        b.followSchema();
        updateOnA("UPDATE notes SET title = 't2', flag = 3 WHERE id = 'n1';");
        assertThat(b.held().count()).isEqualTo(1);

        app("a").exec("ALTER TABLE notes DROP COLUMN title;");
        a.followSchema();
        assertThat(told(a).get("notes").dropped()).containsExactly("title");
        assertThat(b.adoptFormerColumns(told(a))).isEmpty();
        assertThat(b.held().count()).isEqualTo(1);

        b.declare("notes", "title", null);

        assertThat(b.held().count()).as("the value goes with the column").isZero();
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

    /** An unsure drop is not told to peers: it would settle theirs on no better knowledge than their own. */
    @Test
    void anUnsureDropIsNotToldAndAPeersSureRenameIsStillTakenIn() {
        start();
        app("b").exec(RENAME);
        b.followSchema();
        assertThat(b.tables().formerColumns().get("notes").dropped()).containsExactly("title");
        assertThat(told(b)).as("what b's pull answers name").isEmpty();
        updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");
        app("a").exec(RENAME);
        a.followSchema();
        assertThat(told(a)).containsEntry("notes", new FormerColumns(Map.of("title", "name"), Set.of()));
        assertThat(a.adoptFormerColumns(told(b))).isEmpty();
    }

    /**
     * B and C both renamed title to name with no row to show it; A, not migrated, writes title. B first hears from C,
     * which is no surer than B, then from A, whose rows show the rename once it migrates: B places A's write.
     */
    @Test
    void anotherUnsureDeviceDoesNotSettleItAndTheDeviceThatKnowsStillDoes() {
        start();
        StandaloneDevice c = third();
        try {
            app("b").exec(RENAME);
            b.followSchema();
            app("c").exec(RENAME);
            c.followSchema();
            updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");
            assertThat(b.held().count()).isEqualTo(1);

            assertThat(b.adoptFormerColumns(told(c))).isEmpty();
            assertThat(b.held().count()).isEqualTo(1);

            app("a").exec(RENAME);
            a.followSchema();
            assertThat(b.adoptFormerColumns(told(a))).containsExactly("notes");
            assertThat(b.held().count()).isZero();
            assertThat(app("b").exec("SELECT id, flag, name FROM notes;").strip()).isEqualTo("n1|1|t2");
        } finally {
            c.close();
        }
    }

    /**
     * C is ahead: it renamed title to name and then dropped name, so it names both dropped. B, still at the rename,
     * has name: C's drop of title says nothing of what title became here, and settles nothing.
     */
    @Test
    void aPeerAheadThatDroppedTheRenamedColumnSettlesNothingHere() {
        start();
        StandaloneDevice c = third();
        try {
            app("b").exec(RENAME);
            b.followSchema();
            app("c").exec("UPDATE notes SET title = 'c1';"); // c's rows show its rename
            c.tx().executeWithoutResult(s -> c.tracker().sealPending());
            app("c").exec(RENAME);
            c.followSchema();
            app("c").exec("ALTER TABLE notes DROP COLUMN name;");
            c.followSchema();
            assertThat(told(c).get("notes").dropped()).containsExactlyInAnyOrder("title", "name");
            updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");

            assertThat(b.adoptFormerColumns(told(c))).isEmpty();
            assertThat(b.held().count()).isEqualTo(1);
            assertThat(b.tables().get("notes").formerColumns().unsure()).containsExactly("title");
        } finally {
            c.close();
        }
    }

    /**
     * On B title was renamed to name (the rows showed it), then the app re-created the table with name as label: name
     * is an unsure drop, and title unsure through it. C's history says title became label: that settles the end of
     * B's chain, and A's write of title lands in label.
     */
    @Test
    void aPeersRenameOfAChainsStartSettlesTheUnsureDropAtItsEnd() {
        start();
        updateOnA("UPDATE notes SET title = 'x' WHERE id = 'n1';");
        StandaloneDevice c = third();
        try {
            app("b").exec(RENAME);
            b.followSchema();
            assertThat(b.tables().get("notes").formerColumns().renamedTo()).containsEntry("title", "name");
            app("b").exec("CREATE TABLE notes_new (id TEXT PRIMARY KEY, flag INTEGER, label TEXT);"
                    + "INSERT INTO notes_new SELECT id, flag, name FROM notes; DROP TABLE notes;"
                    + "ALTER TABLE notes_new RENAME TO notes;");
            b.followSchema();
            b.tx().executeWithoutResult(s -> b.tracker().sealPending());
            assertThat(b.tables().get("notes").formerColumns().unsure()).containsExactlyInAnyOrder("title", "name");
            app("c").exec(RENAME + "ALTER TABLE notes RENAME COLUMN name TO label;");
            c.followSchema();
            assertThat(told(c)).containsEntry("notes", new FormerColumns(Map.of("title", "label"), Set.of()));
            updateOnA("UPDATE notes SET title = 't2' WHERE id = 'n1';");
            assertThat(b.held().count()).isEqualTo(1);

            assertThat(b.adoptFormerColumns(told(c))).containsExactly("notes");

            assertThat(b.held().count()).isZero();
            assertThat(b.tables().get("notes").formerColumns().renamedTo())
                    .containsEntry("title", "label").containsEntry("name", "label");
            assertThat(app("b").exec("SELECT id, flag, label FROM notes;").strip()).isEqualTo("n1|1|t2");
        } finally {
            c.close();
        }
    }

    /** What a pull answer of {@code d} names, as the other side reads it off the wire. */
    private static Map<String, FormerColumns> told(StandaloneDevice d) {
        return PullResponseBody.of(List.of(), VersionVector.EMPTY, false, List.of(), Map.of(),
                d.tables().formerColumnsToTell()).domainFormerColumns();
    }

    /** A third device, at the first schema, with A's rows. */
    private StandaloneDevice third() {
        StandaloneDevice c = StandaloneDevice.onAppFile(dir.resolve("c.db"), "notes", SCHEMA);
        c.applier().apply(a.tracker().missingFrom(c.tracker().versionVector(), 100), a.id());
        c.tx().executeWithoutResult(s -> c.tracker().sealPending());
        return c;
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
