package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app writes while its device's node is stopped; meanwhile another device edits the same row. When the node
 * starts again it seals the app's write: the write must count as made when it was made, not when it was sealed,
 * or it passes for the later edit and replaces the other device's newer value on every device.
 */
class WriteMadeWhileStoppedTest {

    private static final long START = 1_750_000_000_000L;
    private static final long MINUTE = 60_000;
    private static final String SCHEMA = "CREATE TABLE items (id INT PRIMARY KEY, title TEXT, qty INTEGER);";

    @TempDir
    Path dir;

    private final AtomicLong wallA = new AtomicLong(START);
    private final AtomicLong wallB = new AtomicLong(START);
    private Device a;
    private Device b;

    @AfterEach
    void close() {
        Device.closeAll(a, b);
    }

    @Test
    void aWriteMadeWhileTheNodeWasStoppedLosesToALaterEditMadeMeanwhile() {
        start();
        // at START + 10 min a's app writes while a's node is stopped: captured, not sealed
        app(a).exec("UPDATE items SET title = 'written offline' WHERE id = 1;");
        madeMinutesAgo(a, 60);
        // at START + 40 min b edits the row
        wallB.set(START + 40 * MINUTE);
        b.write("UPDATE items SET title = 'edited later' WHERE id = 1");
        // at START + 70 min a's node starts and seals what its app wrote an hour before
        wallA.set(START + 70 * MINUTE);
        a.node.tx().executeWithoutResult(s -> a.node.tracker().sealPending());

        ChangeEntry offline = last(a);
        assertThat(HybridLogicalClock.wallMillis(offline.hlc())).as("stamped with the moment the app wrote")
                .isBetween(START + 10 * MINUTE - 5_000, START + 10 * MINUTE);

        b.pull(a);
        a.pull(b);
        assertThat(b.rows("items")).extracting(r -> r.get("title")).containsExactly("edited later");
        assertThat(a.rows("items")).extracting(r -> r.get("title")).containsExactly("edited later");
    }

    /**
     * A backlog longer than one batch (256 captures): a row's later write may wait in a later batch while the entry,
     * which carries the row as it stands, is sealed from an earlier one. Stamped then with the moment of its first
     * write, the row's newest value would lose to an older edit; so such a batch is stamped with the moment of the
     * backlog's last write, which no write of the row can be later than.
     */
    @Test
    void aBacklogLongerThanOneBatchIsNotStampedBeforeARowsLastWrite() {
        start();
        offlineBacklogThenAnEditOnB(10);

        b.pull(a);
        a.pull(b);
        assertThat(b.rows("items").get(0)).containsEntry("title", "offline late");
        assertThat(a.rows("items").get(0)).containsEntry("title", "offline late");
    }

    /**
     * The same backlog, all of it written before another device's edit: the edit is the later one. Before, a backlog
     * longer than one batch was stamped as sealed, at the next start, and replaced the edit everywhere (an app that
     * autosaves makes such backlogs while its node is stopped).
     */
    @Test
    void aBacklogLongerThanOneBatchMadeBeforeAnEditLosesToIt() {
        start();
        offlineBacklogThenAnEditOnB(50);

        b.pull(a);
        a.pull(b);
        assertThat(b.rows("items").get(0)).containsEntry("title", "edited by b");
        assertThat(a.rows("items").get(0)).containsEntry("title", "edited by b");
        assertThat(b.rows("items")).as("the backlog's other rows arrived").hasSize(301);
    }

    @Test
    void aWriteSealedAsItComesKeepsTheClockOfNow() {
        start();
        wallA.set(START + 5 * MINUTE);
        a.write("UPDATE items SET title = 'now' WHERE id = 1");

        assertThat(last(a).hlc()).isEqualTo(HybridLogicalClock.pack(START + 5 * MINUTE, 0));
    }

    /** A later stamp than the moment written, where the clock has already gone past it, keeps the clock's order. */
    @Test
    void aLateWriteStillComesAfterEverythingTheClockHasSeen() {
        start();
        app(a).exec("UPDATE items SET title = 'written offline' WHERE id = 1;");
        madeMinutesAgo(a, 60); // before a's own insert at START, by a's wall clock
        wallA.set(START + 30 * MINUTE);
        a.node.tx().executeWithoutResult(s -> a.node.tracker().sealPending());

        List<ChangeEntry> entries = a.node.tracker().missingFrom(VersionVector.EMPTY, 10);
        assertThat(entries.get(1).hlc()).isGreaterThan(entries.get(0).hlc());
    }

    /**
     * While a's node is stopped its app writes row 1 (an hour ago), 300 other rows, and row 1 again (the rest
     * {@code minutesAgo}); at START + 40 min b edits row 1; at START + 70 min a's node starts and seals the backlog.
     */
    private void offlineBacklogThenAnEditOnB(int minutesAgo) {
        app(a).exec("UPDATE items SET title = 'offline early' WHERE id = 1;"
                + " WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 301)"
                + " INSERT INTO items SELECT i, 'bulk', 0 FROM n;"
                + " UPDATE items SET title = 'offline late' WHERE id = 1;");
        app(a).exec("UPDATE sync_capture SET captured_at = captured_at - " + minutesAgo * MINUTE
                + " WHERE id > (SELECT min(id) FROM sync_capture);"
                + " UPDATE sync_capture SET captured_at = captured_at - " + 60 * MINUTE
                + " WHERE id = (SELECT min(id) FROM sync_capture);");
        wallB.set(START + 40 * MINUTE);
        b.write("UPDATE items SET title = 'edited by b' WHERE id = 1");
        wallA.set(START + 70 * MINUTE);
        a.node.tx().executeWithoutResult(s -> a.node.tracker().sealPending());
    }

    private void start() {
        a = Device.onAppFile("a", dir, SCHEMA, ConflictSettings.defaults(), wallA::get);
        b = Device.onAppFile("b", dir, SCHEMA, ConflictSettings.defaults(), wallB::get);
        a.write("INSERT INTO items VALUES (1, 'first', 1)");
        assertThat(b.pull(a)).isEqualTo(1);
    }

    private SqliteCli app(Device d) {
        return new SqliteCli(dir.resolve(d.name + ".db"));
    }

    /** As if the captures waiting on the device had been made {@code minutes} ago by the system clock. */
    private void madeMinutesAgo(Device d, int minutes) {
        app(d).exec("UPDATE sync_capture SET captured_at = captured_at - " + minutes * MINUTE + ";");
    }

    private static ChangeEntry last(Device d) {
        List<ChangeEntry> entries = d.node.tracker().missingFrom(VersionVector.EMPTY, 1000);
        return entries.get(entries.size() - 1);
    }
}
