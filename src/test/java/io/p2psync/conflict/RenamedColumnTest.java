package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app on one device renames a column ({@code ALTER TABLE … RENAME COLUMN}, run by Debian's {@code sqlite3})
 * while the app on another device, not migrated yet, still writes it under its old name. The device that renamed
 * it knows the rename ({@code sync_former_columns}), so a write under the old name is a write of the renamed column:
 * it applies there, takes part in the per-column merge as a write of that column, and a hold made before the
 * rename was followed is written once it is. Before, the write was held as {@code missing-column} for good (or as
 * {@code undecodable} for a renamed key column) and the two devices kept different values.
 */
class RenamedColumnTest {

    private static final long START = 1_750_000_000_000L;
    private static final String SCHEMA = "CREATE TABLE items (id INT PRIMARY KEY, title TEXT, qty INTEGER);";

    @TempDir
    Path dir;

    private final AtomicLong wallA = new AtomicLong(START);
    private final AtomicLong wallB = new AtomicLong(START);
    private final AtomicLong wallC = new AtomicLong(START);
    private Device a;
    private Device b;
    private Device c;

    @AfterEach
    void close() {
        Device.closeAll(a, b, c);
    }

    @Test
    void aWriteUnderTheOldNameAppliesToTheRenamedColumn() {
        start();
        renameOn(b, "title", "name");

        a.write("UPDATE items SET title = 'a1', qty = 2 WHERE id = 1");
        List<ApplyOutcome> out = b.receive(a.missingAt(b), a);

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.node.held().count()).isZero();
        assertThat(row(b, 1)).containsEntry("name", "a1").containsEntry("qty", 2);
    }

    @Test
    void aHoldMadeBeforeTheRenameWasFollowedIsWrittenOnceItIs() {
        start();
        new SqliteCli(file(b)).exec("ALTER TABLE items RENAME COLUMN title TO name;"); // not followed yet

        a.write("UPDATE items SET title = 'a1' WHERE id = 1");
        b.receive(a.missingAt(b), a);
        b.node.followSchema();

        assertThat(b.node.held().count()).as("released by the retry after the rename is followed").isZero();
        assertThat(row(b, 1)).containsEntry("name", "a1");
    }

    @Test
    void aRenamedKeyColumnStillTakesWritesUnderItsOldName() {
        start();
        renameOn(b, "id", "item_id");

        a.write("UPDATE items SET title = 'a1' WHERE id = 1");
        a.write("INSERT INTO items VALUES (2, 'two', 5)");
        List<ApplyOutcome> out = b.receive(a.missingAt(b), a);

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(ApplyOutcome.Result.APPLIED);
        assertThat(b.node.held().count()).isZero();
        assertThat(b.node.jdbc().sql("SELECT item_id, title, qty FROM items ORDER BY item_id").query().listOfRows())
                .containsExactly(Map.of("item_id", 1, "title", "a1", "qty", 1), Map.of("item_id", 2, "title", "two",
                        "qty", 5));
    }

    /** A row given under a former name (a conflict's side recorded before the rename, say) writes the renamed column. */
    @Test
    void aLocalWriteUnderTheOldNameIsSealedUnderTheNewOne() {
        start();
        renameOn(b, "title", "name");

        ChangeEntry sealed = b.node.applier().writeLocal(new RowChange("items", SqlValues.encodeKey(List.of(1L)), Operation.UPDATE, Kind.RESOLUTION,
                "{\"id\":1,\"title\":\"by hand\",\"qty\":1}", "[\"title\"]"));

        assertThat(row(b, 1)).containsEntry("name", "by hand");
        assertThat(sealed.data()).isEqualTo("{\"id\":1,\"name\":\"by hand\",\"qty\":1}");
        assertThat(sealed.changedColumns()).isEqualTo("[\"name\"]");
        assertThat(sealed.hashValid()).isTrue();
    }

    /** Changed columns holding a JSON null (a faulty origin) are read as before: no failure, here or later. */
    @Test
    void aNullAmongTheChangedColumnsIsLeftAsItIs() {
        start();
        a.node.applier().writeLocal(new RowChange("items", SqlValues.encodeKey(List.of(1L)), Operation.UPDATE,
                Kind.EDIT, "{\"id\":1,\"title\":\"x\",\"qty\":1}", "[null,\"title\"]"));
        b.pull(a);
        renameOn(b, "title", "name");
        a.node.applier().writeLocal(new RowChange("items", SqlValues.encodeKey(List.of(1L)), Operation.UPDATE,
                Kind.EDIT, "{\"id\":1,\"title\":\"y\",\"qty\":1}", "[null,\"title\"]"));
        wallB.addAndGet(1_000);
        b.write("UPDATE items SET qty = 2 WHERE id = 1"); // concurrent: the row's entries are merged, the old one too

        assertThat(b.receive(a.missingAt(b), a)).extracting(ApplyOutcome::result)
                .doesNotContain(ApplyOutcome.Result.HELD, ApplyOutcome.Result.REJECTED);
        assertThat(row(b, 1)).containsEntry("name", "y").containsEntry("qty", 2);
    }

    /** An entry naming both the former name and the column it became leaves the former one waiting, for good. */
    @Test
    void anEntryNamingBothTheFormerAndTheNewNameKeepsTheFormerWaiting() {
        start();
        renameOn(b, "title", "name");
        a.node.applier().writeLocal(new RowChange("items", SqlValues.encodeKey(List.of(1L)), Operation.UPDATE,
                Kind.EDIT, "{\"id\":1,\"title\":\"t\",\"name\":\"n\",\"qty\":1}", null));
        b.pull(a);
        assertThat(b.node.held().count()).as("title waits").isEqualTo(1);

        b.node.applier().retryHeld(true);

        assertThat(b.node.held().count()).as("title still waits after a schema retry").isEqualTo(1);
        assertThat(row(b, 1)).containsEntry("name", "n");
    }

    /** A conflict recorded before the rename, resolved by hand afterwards with a row that leaves the column out. */
    @Test
    void aResolutionByHandFillsTheRenamedColumnFromTheConflictRecordedBeforeTheRename() {
        a = Device.onAppFile("a", dir, SCHEMA, ConflictSettings.everywhere(ConflictPolicy.MANUAL), wallA::get);
        b = Device.onAppFile("b", dir, SCHEMA, ConflictSettings.everywhere(ConflictPolicy.MANUAL), wallB::get);
        a.write("INSERT INTO items VALUES (1, 'keep me', 1)");
        b.pull(a);
        b.write("UPDATE items SET qty = 2 WHERE id = 1");
        a.write("UPDATE items SET qty = 3 WHERE id = 1");
        b.pull(a);
        assertThat(b.pending()).hasSize(1);
        renameOn(b, "title", "name");

        b.resolver.resolveWith(b.pending().get(0).id(), "{\"qty\":5}");

        assertThat(row(b, 1)).containsEntry("qty", 5).containsEntry("name", "keep me");
        a.pull(b);
        renameOn(a, "title", "name");
        assertThat(row(a, 1)).containsEntry("qty", 5).containsEntry("name", "keep me");
    }

    /**
     * A device set up after the rename, at the new schema, never saw it: it learns it from a peer that followed it
     * (a pull answer names the renames), and then reads the old name as the new one, in what it held meanwhile too.
     */
    @Test
    void aDeviceSetUpAtTheNewSchemaLearnsTheRenameFromAPeer() {
        start();
        renameOn(b, "title", "name");
        a.write("UPDATE items SET title = 'a1', qty = 4 WHERE id = 1");
        b.pull(a);
        c = Device.onAppFile("c", dir, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT, qty INTEGER);",
                ConflictSettings.defaults(), wallC::get);
        c.pull(a);
        assertThat(c.node.held().count()).as("before it knows the rename, c holds what names title").isEqualTo(2);

        assertThat(c.node.adoptFormerColumns(b.node.tables().formerColumns())).containsExactly("items");

        assertThat(c.node.held().count()).isZero();
        assertThat(row(c, 1)).containsEntry("name", "a1").containsEntry("qty", 4);
        assertThat(c.node.adoptFormerColumns(b.node.tables().formerColumns())).as("known now").isEmpty();
    }

    /** A rename is taken in only where it fits: the new name here, the former one not, and nothing known of it. */
    @Test
    void aRenameThatDoesNotFitThisDevicesTableIsNotTakenIn() {
        start();
        assertThat(a.node.adoptFormerColumns(renamed("items", "title", "name"))).as("a still has title").isEmpty();
        assertThat(a.node.adoptFormerColumns(renamed("items", "heading", "label"))).as("a has no label").isEmpty();
        assertThat(a.node.adoptFormerColumns(renamed("other", "x", "title"))).as("no such table").isEmpty();
        renameOn(b, "title", "name");
        assertThat(b.node.adoptFormerColumns(renamed("items", "title", "qty"))).as("b knows what became of title")
                .isEmpty();
        assertThat(b.node.tables().formerColumns()).isEqualTo(renamed("items", "title", "name"));
    }

    /**
     * A's app, not migrated, updates another column of a row whose renamed column it could not take (B wrote it under
     * the new name): A's data carries that column under its old name with the value A has, NULL. B, and every device,
     * keeps the value B wrote.
     */
    @Test
    void anUpdateOfAnotherColumnFromADeviceNotMigratedLeavesTheRenamedColumnAlone() {
        start();
        renameOn(b, "title", "name");
        b.write("INSERT INTO items VALUES (2, 'from b', 1)");
        a.pull(b); // a has no column name: the value waits, the row has title NULL
        a.write("UPDATE items SET qty = 7 WHERE id = 2");

        b.pull(a);

        assertThat(row(b, 2)).containsEntry("name", "from b").containsEntry("qty", 7);
        renameOn(a, "title", "name");
        assertThat(row(a, 2)).containsEntry("name", "from b").containsEntry("qty", 7);
    }

    /** title -> name -> label, then a new column name: a write of title still goes to label. */
    @Test
    void aRenameChainOutlivesANewColumnUnderItsMiddleName() {
        start();
        new SqliteCli(file(b)).exec("ALTER TABLE items RENAME COLUMN title TO name;");
        b.node.followSchema();
        new SqliteCli(file(b)).exec("ALTER TABLE items RENAME COLUMN name TO label;");
        b.node.followSchema();
        new SqliteCli(file(b)).exec("ALTER TABLE items ADD COLUMN name TEXT;");
        b.node.followSchema();
        assertThat(b.node.tables().formerColumns().get("items").renamedTo()).containsEntry("title", "label");

        a.write("UPDATE items SET title = 'a1' WHERE id = 1");
        b.pull(a);

        assertThat(row(b, 1)).containsEntry("label", "a1").containsEntry("name", null);
        assertThat(b.node.held().count()).isZero();
    }

    /** The later of two concurrent writes holds the column, whichever name each was made under. */
    @Test
    void concurrentWritesUnderTheOldAndTheNewNameMergeByClockOnBothDevices() {
        start();
        renameOn(b, "title", "name");
        wallB.addAndGet(1_000);
        b.write("UPDATE items SET name = 'b' WHERE id = 1");
        wallA.addAndGet(2_000); // A's write, made without seeing B's, is the later one
        a.write("UPDATE items SET title = 'a' WHERE id = 1");

        b.pull(a);
        a.pull(b); // A has no column name yet: B's value waits for it
        renameOn(a, "title", "name");

        assertThat(row(b, 1)).containsEntry("name", "a");
        assertThat(row(a, 1)).containsEntry("name", "a");
        assertThat(a.node.held().count()).isZero();
        assertThat(b.node.held().count()).isZero();
    }

    @Test
    void concurrentWritesWhereTheNewNameIsLaterKeepItsValueOnBothDevices() {
        start();
        renameOn(b, "title", "name");
        wallA.addAndGet(1_000);
        a.write("UPDATE items SET title = 'a' WHERE id = 1");
        wallB.addAndGet(2_000); // B's write under the new name is the later one
        b.write("UPDATE items SET name = 'b' WHERE id = 1");

        b.pull(a);
        a.pull(b);
        renameOn(a, "title", "name");

        assertThat(row(b, 1)).containsEntry("name", "b");
        assertThat(row(a, 1)).containsEntry("name", "b");
        assertThat(a.node.held().count()).isZero();
        assertThat(b.node.held().count()).isZero();
    }

    private void start() {
        a = Device.onAppFile("a", dir, SCHEMA, ConflictSettings.defaults(), wallA::get);
        b = Device.onAppFile("b", dir, SCHEMA, ConflictSettings.defaults(), wallB::get);
        a.write("INSERT INTO items VALUES (1, 'a0', 1)");
        assertThat(b.pull(a)).isEqualTo(1);
    }

    private Path file(Device d) {
        return dir.resolve(d.name + ".db");
    }

    /** The app renames the column with Debian's sqlite3, and the node follows, as its capture poll does. */
    private void renameOn(Device d, String from, String to) {
        new SqliteCli(file(d)).exec("ALTER TABLE items RENAME COLUMN " + from + " TO " + to + ";");
        d.node.followSchema();
    }

    private static Map<String, FormerColumns> renamed(String table, String from, String to) {
        return Map.of(table, new FormerColumns(Map.of(from, to), java.util.Set.of()));
    }

    private static Map<String, Object> row(Device d, int id) {
        String key = d.node.jdbc().sql("SELECT name FROM pragma_table_info('items') WHERE pk = 1").query(String.class)
                .single();
        return d.node.jdbc().sql("SELECT * FROM items WHERE \"" + key + "\" = ?").param(id).query().singleRow();
    }
}
