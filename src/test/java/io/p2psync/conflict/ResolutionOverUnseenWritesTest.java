package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.changes.CaptureNotReady;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.VersionVector;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's resolution is a write made here without a trigger, like an entry from another device: it must not be
 * written over a row that holds a write of the app no trigger saw. The app (Debian's sqlite3) rebuilds the table the
 * SQLite way, which drops the capture triggers, and edits the row of a pending conflict before the node notices.
 */
class ResolutionOverUnseenWritesTest {

    private static final long START = 1_750_000_000_000L;
    /** SQLite's usual way to change a table (here: add a CHECK), then an edit no trigger sees. */
    private static final String REBUILD_AND_EDIT = "BEGIN;"
            + " CREATE TABLE items_new (id INT PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0,"
            + " note TEXT, CHECK (qty >= 0));"
            + " INSERT INTO items_new SELECT * FROM items; DROP TABLE items; ALTER TABLE items_new RENAME TO items;"
            + " COMMIT; UPDATE items SET note = 'counted by the app' WHERE id = 1;";

    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(START);
    private Device a;
    private Device b;
    private SqliteCli appB;

    @BeforeEach
    void start() {
        ConflictSettings manual = ConflictSettings.everywhere(ConflictPolicy.MANUAL);
        a = new Device("a", dir.resolve("a.db"), manual, wall::get);
        b = new Device("b", dir.resolve("b.db"), manual, wall::get);
        appB = new SqliteCli(dir.resolve("b.db"));
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    /** Both devices retitle row 1 without seeing each other; b pulls a's edit and the conflict waits for a person. */
    private Conflict pendingOnB() {
        a.write("INSERT INTO items (id, title, qty, note) VALUES (1, 'pens', 1, NULL)");
        b.pull(a);
        wall.addAndGet(10);
        a.write("UPDATE items SET title = 'blue pens' WHERE id = 1");
        wall.addAndGet(10);
        b.write("UPDATE items SET title = 'red pens' WHERE id = 1");
        b.pull(a);
        assertThat(b.pending()).hasSize(1);
        return b.pending().get(0);
    }

    private Map<String, Object> rowOn(Device d) {
        return d.rows(Device.ITEMS).get(0);
    }

    /** b's own entries of row 1, oldest first. */
    private List<ChangeEntry> entriesOfRowOn(Device d, String origin) {
        return d.node.tracker().missingFrom(VersionVector.EMPTY, 10_000).stream()
                .filter(e -> e.origin().equals(origin) && e.table().equals(Device.ITEMS)).toList();
    }

    @Test
    void aResolutionIsRefusedWhileTheRowMayHoldAnAppEditThenWrittenOnTopOfItOnceTheScanSealedIt() {
        Conflict conflict = pendingOnB();
        appB.exec(REBUILD_AND_EDIT);
        long entries = b.node.tracker().count();

        assertThatThrownBy(() -> b.resolver.resolve(conflict.id(), ResolutionStrategy.REMOTE))
                .isInstanceOf(CaptureNotReady.class).hasMessageContaining("items");
        // nothing written: the app's edit stands, the conflict still waits, nothing was logged
        assertThat(rowOn(b)).containsEntry("title", "red pens").containsEntry("note", "counted by the app");
        assertThat(b.pending()).extracting(Conflict::id).containsExactly(conflict.id());
        assertThat(b.node.tracker().count()).isEqualTo(entries);

        // the capture poll notices the new table, installs its triggers and scans it: the app's edit is sealed
        b.node.followSchema();
        Conflict resolved = b.resolver.resolve(conflict.id(), ResolutionStrategy.REMOTE);

        assertThat(resolved.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(rowOn(b)).containsEntry("title", "blue pens");
        List<ChangeEntry> mine = entriesOfRowOn(b, b.id());
        ChangeEntry appEdit = mine.get(mine.size() - 2);
        ChangeEntry resolution = mine.get(mine.size() - 1);
        assertThat(appEdit.kind()).isEqualTo(Kind.EDIT);
        assertThat(appEdit.data()).contains("counted by the app");
        assertThat(resolution.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(resolution.base().dominates(appEdit.vector())).isTrue(); // written on top of the app's edit

        // the app's edit travels like any other, and the resolution settles a's side of the conflict too
        a.pull(b);
        assertThat(entriesOfRowOn(a, b.id())).extracting(ChangeEntry::data).anyMatch(d -> d.contains("counted by the app"));
        assertThat(a.rows(Device.ITEMS)).isEqualTo(b.rows(Device.ITEMS));
        assertThat(a.pending()).isEmpty();
    }

    @Test
    void aHandWrittenResolutionIsRefusedForNowNotAsARowTheTableRefuses() {
        Conflict conflict = pendingOnB();
        appB.exec(REBUILD_AND_EDIT);

        assertThatThrownBy(() -> b.resolver.resolveWith(conflict.id(), "{\"title\":\"purple pens\"}"))
                .isInstanceOf(CaptureNotReady.class).hasMessageContaining("items");
        assertThat(rowOn(b)).containsEntry("title", "red pens").containsEntry("note", "counted by the app");
        assertThat(b.pending()).extracting(Conflict::id).containsExactly(conflict.id());

        b.node.followSchema();
        b.resolver.resolveWith(conflict.id(), "{\"title\":\"purple pens\"}");
        assertThat(rowOn(b)).containsEntry("title", "purple pens");
        List<ChangeEntry> mine = entriesOfRowOn(b, b.id());
        assertThat(mine.get(mine.size() - 2).data()).contains("counted by the app");
        assertThat(mine.get(mine.size() - 1).base().dominates(mine.get(mine.size() - 2).vector())).isTrue();
    }

    @Test
    void ignoringWritesNoRowSoItNeedNotWait() {
        Conflict conflict = pendingOnB();
        appB.exec(REBUILD_AND_EDIT);

        assertThat(b.resolver.ignore(conflict.id()).status()).isEqualTo(ConflictStatus.IGNORED);
        assertThat(rowOn(b)).containsEntry("note", "counted by the app");
        b.node.followSchema();
        assertThat(entriesOfRowOn(b, b.id()).get(entriesOfRowOn(b, b.id()).size() - 1).data())
                .contains("counted by the app");
    }
}
