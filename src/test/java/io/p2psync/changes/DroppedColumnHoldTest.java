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
 * The app on one device drops a column (SQLite's {@code ALTER TABLE … DROP COLUMN}) while the app on the other, not
 * migrated yet, still writes it. The value of a column this device dropped on purpose has nowhere to go and nothing
 * to wait for: the rest of the write applies and nothing is held. Before, the entry was held as {@code
 * missing-column} for good (no schema change here would ever bring the column back), the peer showed INCOMPLETE, and
 * health went OUT_OF_SERVICE once the hold was older than {@code p2psync.health.held-threshold}.
 */
class DroppedColumnHoldTest {

    private static final String SCHEMA = "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER, extra TEXT);";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(a, b);
    }

    @Test
    void aWriteOfAColumnDroppedHereAppliesTheRestAndHoldsNothing() {
        start();
        new SqliteCli(dir.resolve("b.db")).exec("ALTER TABLE notes DROP COLUMN extra;");
        b.followSchema();

        List<ApplyOutcome> out = update("UPDATE notes SET extra = 'x-a', flag = 7 WHERE id = 'n1';");

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.held().count()).isZero();
        assertThat(new SqliteCli(dir.resolve("b.db")).exec("SELECT id, flag FROM notes;").strip()).isEqualTo("n1|7");
    }

    /** A hold made before this device had followed the drop (or by an older version) is released once it has. */
    @Test
    void aHoldOnAColumnThatTurnsOutDroppedIsReleasedWhenTheDropIsFollowed() {
        start();
        // the app drops the column and the entry arrives before the node has followed the change: held, as the
        // column might be one a migration has yet to add
        new SqliteCli(dir.resolve("b.db")).exec("ALTER TABLE notes DROP COLUMN extra;");
        List<ApplyOutcome> out = update("UPDATE notes SET extra = 'x-a', flag = 8 WHERE id = 'n1';");
        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.HELD);

        b.followSchema();

        assertThat(b.held().count()).as("released by the retry that follows the schema change").isZero();
        assertThat(new SqliteCli(dir.resolve("b.db")).exec("SELECT id, flag FROM notes;").strip()).isEqualTo("n1|8");
    }

    /** A column this device never had is still waited for: a migration may add it. */
    @Test
    void aColumnThisDeviceNeverHadIsStillWaitedFor() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "notes", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "notes",
                "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER);");
        new SqliteCli(dir.resolve("a.db")).exec("INSERT INTO notes VALUES ('n1', 1, 'e1');");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());

        List<ApplyOutcome> out = b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.held().count()).as("the value of extra waits for the column").isEqualTo(1);
    }

    /**
     * A peer's drop is not taken in: a device lacks a column another dropped also when its app is behind and a
     * migration will add it (v1 has no extra, v2 adds it, v3 drops it). Taken in, the drop would discard the values
     * it then needs; held, they are written once its app adds the column.
     */
    @Test
    void aPeersDropIsNotTakenInAndADeviceWhoseAppIsBehindFillsTheColumnWhenItComes() {
        start(); // a and b at v2, a's row n1 has extra 'e1'
        new SqliteCli(dir.resolve("b.db")).exec("ALTER TABLE notes DROP COLUMN extra;"); // b's app at v3
        b.followSchema();
        StandaloneDevice c = StandaloneDevice.onAppFile(dir.resolve("c.db"), "notes",
                "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER);"); // c's app at v1
        try {
            c.applier().apply(a.tracker().missingFrom(c.tracker().versionVector(), 100), a.id());
            assertThat(c.held().count()).as("the value of extra waits: a migration may add it").isEqualTo(1);

            assertThat(c.adoptFormerColumns(b.tables().formerColumns())).isEmpty();
            assertThat(c.held().count()).isEqualTo(1);

            new SqliteCli(dir.resolve("c.db")).exec("ALTER TABLE notes ADD COLUMN extra TEXT;"); // c's app at v2
            c.followSchema();
            assertThat(c.held().count()).isZero();
            assertThat(new SqliteCli(dir.resolve("c.db")).exec("SELECT id, flag, extra FROM notes;").strip())
                    .isEqualTo("n1|1|e1");
        } finally {
            c.close();
        }
    }

    /**
     * A device set up after the drop, at the new schema, holds the values of the column it never had (above); a person
     * who knows the column is gone for good says so, and the holds go. Before, nothing could release them.
     */
    @Test
    void aPersonSaysAColumnWasDroppedAndTheValuesHeldForItGo() {
        start();
        StandaloneDevice c = StandaloneDevice.onAppFile(dir.resolve("c.db"), "notes",
                "CREATE TABLE notes (id TEXT PRIMARY KEY, flag INTEGER);");
        try {
            c.applier().apply(a.tracker().missingFrom(c.tracker().versionVector(), 100), a.id());
            assertThat(c.held().count()).isEqualTo(1);

            assertThat(c.declare("notes", "extra", null).dropped()).containsExactly("extra");

            assertThat(c.held().count()).isZero();
            assertThat(new SqliteCli(dir.resolve("c.db")).exec("SELECT id, flag FROM notes;").strip()).isEqualTo("n1|1");
            assertThat(c.declare("notes", "extra", null).dropped()).as("said again: the same").containsExactly("extra");
            assertThatThrownBy(() -> c.declare("notes", "extra", "flag"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("recorded as dropped");
            assertThatThrownBy(() -> c.declare("notes", "flag", null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a column of notes");
        } finally {
            c.close();
        }
    }

    private void start() {
        a = StandaloneDevice.onAppFile(dir.resolve("a.db"), "notes", SCHEMA);
        b = StandaloneDevice.onAppFile(dir.resolve("b.db"), "notes", SCHEMA);
        new SqliteCli(dir.resolve("a.db")).exec("INSERT INTO notes VALUES ('n1', 1, 'e1');");
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        assertThat(b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id()))
                .extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
    }

    private List<ApplyOutcome> update(String sql) {
        new SqliteCli(dir.resolve("a.db")).exec(sql);
        a.tx().executeWithoutResult(s -> a.tracker().sealPending());
        return b.applier().apply(a.tracker().missingFrom(b.tracker().versionVector(), 100), a.id());
    }
}
