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
 * Writes no trigger saw are sealed before an entry from another device is written over their row. SQLite's usual
 * way to change a table is to re-create it, which drops the capture triggers with the old table; the app (Debian's
 * sqlite3 here) may write to the new table before the node notices.
 */
class UnseenWritesTest {

    private static final String SCHEMA = "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT, body TEXT);";

    @TempDir
    Path dir;
    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        for (StandaloneDevice d : new StandaloneDevice[] {a, b}) {
            if (d != null) {
                d.close();
            }
        }
    }

    private List<String> rows(String file) {
        return new SqliteCli(dir.resolve(file)).dump("notes");
    }

    @Test
    void anEditMadeAfterTheAppRebuiltTheTableIsNotWrittenOverByAnIncomingEntry() {
        SqliteCli appA = new SqliteCli(dir.resolve("a.db"));
        SqliteCli appB = new SqliteCli(dir.resolve("b.db"));
        appA.exec(SCHEMA + "INSERT INTO notes VALUES ('n1', 'title', 'body');");
        appB.exec(SCHEMA);
        a = new StandaloneDevice(dir.resolve("a.db"), List.of("notes"), System::currentTimeMillis, List.of());
        b = new StandaloneDevice(dir.resolve("b.db"), List.of("notes"), System::currentTimeMillis, List.of());
        a.scan().scan(List.of("notes")); // the row the app wrote before the node tracked the table
        b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
        assertThat(rows("b.db")).containsExactly("'n1'|'title'|'body'");

        appA.exec("UPDATE notes SET body = 'A body' WHERE id = 'n1';");
        a.tracker().sealPending();
        // B's app makes title NOT NULL the SQLite way, then edits the row: no trigger sees that edit
        appB.exec("BEGIN; CREATE TABLE notes_new (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT);"
                + "INSERT INTO notes_new SELECT * FROM notes; DROP TABLE notes; ALTER TABLE notes_new RENAME TO notes;"
                + "COMMIT; UPDATE notes SET title = 'B title' WHERE id = 'n1';");
        List<ChangeEntry> fromA = a.tracker().missingFrom(b.tracker().versionVector(), 100);

        assertThatThrownBy(() -> b.applier().apply(fromA, a.id()))
                .isInstanceOf(CaptureNotReady.class).hasMessageContaining("notes");
        assertThat(rows("b.db")).containsExactly("'n1'|'B title'|'body'");

        // the capture poll notices the new table, installs its triggers and scans it: B's edit is sealed
        b.followSchema();
        assertThat(b.unscanned().names()).isEmpty();
        b.applier().apply(fromA, a.id());
        a.applier().apply(b.tracker().missingFrom(a.tracker().versionVector(), 100), b.id());

        // a concurrent edit of one row, settled by the latest write (the default policy): B's, made last
        assertThat(rows("b.db")).containsExactly("'n1'|'B title'|'body'");
        assertThat(rows("a.db")).isEqualTo(rows("b.db"));
    }

    @Test
    void aTableRenamedAwayWithItsTriggersAndCreatedAgainIsNotReady() {
        SqliteCli appB = new SqliteCli(dir.resolve("b.db"));
        new SqliteCli(dir.resolve("a.db")).exec(SCHEMA + "INSERT INTO notes VALUES ('n1', 'title', 'body');");
        appB.exec(SCHEMA);
        a = new StandaloneDevice(dir.resolve("a.db"), List.of("notes"), System::currentTimeMillis, List.of());
        b = new StandaloneDevice(dir.resolve("b.db"), List.of("notes"), System::currentTimeMillis, List.of());
        a.scan().scan(List.of("notes"));
        // the triggers go with the old table under its new name; the new notes has none
        appB.exec("ALTER TABLE notes RENAME TO notes_old; " + SCHEMA + " INSERT INTO notes VALUES ('n1', 'B', 'b');");

        assertThatThrownBy(() -> b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id()))
                .isInstanceOf(CaptureNotReady.class);
        assertThat(rows("b.db")).containsExactly("'n1'|'B'|'b'");
    }

    /**
     * A write made here without a trigger (a person's conflict resolution goes through these) waits for the scan as
     * an incoming entry does: while the triggers are gone, and while the table is owed its scan.
     */
    @Test
    void aWriteMadeHereWithoutATriggerIsRefusedUntilTheScanSealedWhatTheAppWrote() {
        SqliteCli appB = new SqliteCli(dir.resolve("b.db"));
        appB.exec(SCHEMA + "INSERT INTO notes VALUES ('n1', 'title', 'body');");
        b = new StandaloneDevice(dir.resolve("b.db"), List.of("notes"), System::currentTimeMillis, List.of());
        b.scan().scan(List.of("notes"));
        String n1 = SqlValues.encodeKey(List.of("n1"));
        RowChange mine = new RowChange("notes", n1, Operation.UPDATE, Kind.RESOLUTION,
                SqlValues.encodeRow(java.util.Map.of("id", "n1", "title", "mine", "body", "body")), null);
        appB.exec("BEGIN; CREATE TABLE notes_new (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT);"
                + "INSERT INTO notes_new SELECT * FROM notes; DROP TABLE notes; ALTER TABLE notes_new RENAME TO notes;"
                + "COMMIT; UPDATE notes SET body = 'B body' WHERE id = 'n1';");
        long entries = b.tracker().count();

        assertThatThrownBy(() -> b.applier().writeLocal(mine)).isInstanceOf(CaptureNotReady.class)
                .satisfies(e -> assertThat(((CaptureNotReady) e).tables()).containsExactly("notes"));
        assertThatThrownBy(() -> b.applier().cover("notes", n1, b.tracker().versionVector()))
                .isInstanceOf(CaptureNotReady.class);
        assertThat(rows("b.db")).containsExactly("'n1'|'title'|'B body'");
        assertThat(b.tracker().count()).isEqualTo(entries);

        // the triggers are back and the scan sealed the app's edit; then the table is owed a scan again
        b.followSchema();
        b.unscanned().add(List.of("notes"));
        assertThatThrownBy(() -> b.applier().writeLocal(mine)).isInstanceOf(CaptureNotReady.class);

        b.scan().scan(List.of("notes"));
        ChangeEntry written = b.applier().writeLocal(mine);
        assertThat(rows("b.db")).containsExactly("'n1'|'mine'|'body'");
        ChangeEntry appEdit = b.tracker().missingFrom(VersionVector.EMPTY, 100).stream()
                .filter(e -> e.data() != null && e.data().contains("B body")).findFirst().orElseThrow();
        assertThat(written.base().dominates(appEdit.vector())).isTrue();
    }
}
