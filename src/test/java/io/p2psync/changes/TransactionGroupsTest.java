package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import io.p2psync.identity.HybridLogicalClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Groups on a real SQLite file: how the sealer ends them (docs/storage.md, "Groups") and how the applier
 * stages a group's entries until its last one arrives. The capture poller is slowed right down, so each test
 * seals exactly when it says.
 */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TransactionGroupsTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.tables", () -> "notes,inventory");
        registry.add("p2psync.capture.assigned-keys", () -> "notes");
        registry.add("p2psync.capture-poll", () -> "1h");
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/testmigration");
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    ChangeSealer sealer;
    @Autowired
    ChangeTracker tracker;
    @Autowired
    RemoteChangeApplier applier;
    @Autowired
    RowStates rows;
    @Autowired
    HybridLogicalClock clock;
    @Autowired
    ScanScheduler scans;
    @Autowired
    UnscannedTables unscanned;

    private final RemoteDevice bob = new RemoteDevice();

    @BeforeEach
    void sealWhatIsLeft() {
        // The start-up reconciliation scan would otherwise race these tests for the rows the other program
        // writes (sealing them itself, so sealPending finds nothing left to seal); stopping waits for it.
        scans.stop();
        tracker.sealPending();
        // the tables were empty at start and the other program writes through the triggers: nothing for a scan to
        // find, so entries may be written to them at once (CaptureReadiness waits for the scan otherwise)
        List.of("notes", "inventory").forEach(t -> unscanned.scanned(t, unscanned.mark(t)));
    }

    private void otherProgram(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("p2psync.db"));
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.executeUpdate(sql);
        }
    }

    /** The continues flags of this device's entries after version {@code after}, in version order. */
    private List<Boolean> ownFlagsAfter(long after) {
        String me = ownId();
        return jdbc.sql("SELECT continues FROM sync_log_view WHERE device_id = ? AND version > ? ORDER BY version")
                .params(me, after).query((rs, n) -> rs.getInt(1) != 0).list();
    }

    private String ownId() {
        return jdbc.sql("SELECT device_id FROM sync_log_view WHERE received_from IS NULL ORDER BY id DESC LIMIT 1")
                .query(String.class).single();
    }

    private long ownHead() {
        return jdbc.sql("SELECT COALESCE(MAX(version), 0) FROM sync_log WHERE received_from IS NULL")
                .query(Long.class).single();
    }

    private static String inserts(int from, int to) {
        return "INSERT INTO notes (id, title) WITH RECURSIVE i(n) AS (SELECT " + from + " UNION ALL SELECT n + 1 FROM i"
                + " WHERE n < " + to + ") SELECT n, 'row ' || n FROM i";
    }

    private static List<Boolean> group(int size) {
        List<Boolean> flags = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            flags.add(i < size - 1);
        }
        return flags;
    }

    @Test
    void aTransactionSealedInSeveralBatchesEndsItsGroupOnlyWithItsLastEntry() throws Exception {
        otherProgram("INSERT INTO notes (id, title) VALUES (1000, 'before')");
        tracker.sealPending();
        long before = ownHead();
        otherProgram(inserts(1001, 1600)); // 600 rows, one transaction
        assertThat(sealer.sealBatch().entries()).isEqualTo(ChangeSealer.BATCH);
        assertThat(ownFlagsAfter(before)).as("a batch that leaves captures behind ends nothing").containsOnly(true);
        // the app changes a row already sealed in the first batch: the group takes that change too
        otherProgram("UPDATE notes SET title = 'changed again' WHERE id = 1001");
        while (sealer.sealBatch().more()) {
            // the capture poller's loop
        }
        assertThat(ownFlagsAfter(before)).isEqualTo(group(601));
        assertThat(tracker.verify()).isEmpty();
    }

    @Test
    void sealPendingEndsTheGroupWithItsLastEntryOnly() throws Exception {
        long before = ownHead();
        otherProgram(inserts(2001, 2700));
        assertThat(tracker.sealPending()).isEqualTo(700);
        assertThat(ownFlagsAfter(before)).isEqualTo(group(700));
        otherProgram("UPDATE notes SET title = 'one row' WHERE id = 2001");
        tracker.sealPending();
        assertThat(ownFlagsAfter(before + 700)).containsExactly(false);
    }

    @Test
    void aLastBatchThatMakesNoEntryEndsTheGroupWithAnEntryThatChangesNothing() throws Exception {
        long before = ownHead();
        otherProgram(inserts(3001, 3000 + ChangeSealer.BATCH));
        // captured after those, and gone again before it is sealed: it makes no entry
        otherProgram("INSERT INTO notes (id, title) VALUES (3999, 'brief'); DELETE FROM notes WHERE id = 3999");
        assertThat(sealer.sealBatch().entries()).isEqualTo(ChangeSealer.BATCH);
        assertThat(ownFlagsAfter(before)).containsOnly(true);
        RowState lastRow = rows.find("notes", "[" + (3000 + ChangeSealer.BATCH) + "]").orElseThrow();

        assertThat(sealer.sealBatch().entries()).isEqualTo(1);
        List<Boolean> flags = ownFlagsAfter(before);
        assertThat(flags).isEqualTo(group(ChangeSealer.BATCH + 1));
        ChangeEntry end = tracker.find(new EntryRef(ownId(), before + ChangeSealer.BATCH + 1)).orElseThrow();
        assertThat(end.changesNothing()).isTrue();
        assertThat(end.recordId()).isEqualTo(lastRow.recordId());
        assertThat(rows.find("notes", lastRow.recordId())).as("a marker only: the row's state is as it was")
                .contains(lastRow);
        assertThat(tracker.verify()).isEmpty();
        // nothing left open: a later seal does not add another
        assertThat(tracker.sealPending()).isZero();
    }

    private long later() {
        return clock.last() + (1L << 20);
    }

    private ChangeEntry bobNote(int id, boolean continues) {
        return bob.next(RemoteDevice.upsert("notes", "[" + id + "]", "{\"id\":" + id + ",\"title\":\"bob " + id
                + "\",\"body\":null}"), VersionVector.EMPTY, later(), continues);
    }

    private long notesBetween(int from, int to) {
        return jdbc.sql("SELECT COUNT(*) FROM notes WHERE id BETWEEN ? AND ?").params(from, to).query(Long.class).single();
    }

    @Test
    void aGroupSplitOverTwoDeliveriesIsPutOnItsRowsOnlyWhenItsLastEntryArrives() {
        List<ChangeEntry> group = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            group.add(bobNote(5000 + i, i < 399));
        }
        List<ApplyOutcome> first = applier.apply(group.subList(0, 100), bob.id());
        assertThat(first).extracting(ApplyOutcome::result).containsOnly(Result.STAGED);
        assertThat(first).allMatch(ApplyOutcome::accepted);
        assertThat(tracker.versionVector().get(bob.id()))
                .as("no signature covers them yet: kept outside the log, neither counted nor relayed").isZero();
        assertThat(tracker.find(EntryRef.of(group.get(0)))).isEmpty();
        assertThat(notesBetween(5000, 5399)).as("nothing of the group is on its rows").isZero();
        assertThat(tracker.waitingForGroupEnd()).isEqualTo(100);

        // 300 more: more than one write transaction of the applier; the last one ends the group
        List<ApplyOutcome> second = applier.apply(group.subList(100, 400), bob.id());
        assertThat(second).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(notesBetween(5000, 5399)).isEqualTo(400);
        assertThat(tracker.waitingForGroupEnd()).isZero();
        assertThat(tracker.find(EntryRef.of(group.get(0)))).as("stored with its flag, to relay as it came")
                .contains(group.get(0));
        assertThat(tracker.versionVector().get(bob.id())).isEqualTo(400);
    }

    @Test
    void anEntryOfAGroupThatCannotBeWrittenIsHeldByItselfAndTheRestApplies() {
        ChangeEntry a = bobNote(6001, true);
        ChangeEntry ghost = bob.next(RemoteDevice.upsert("ghost", "[1]", "{\"id\":1}"), VersionVector.EMPTY, later(), true);
        ChangeEntry b = bobNote(6002, false);
        List<ApplyOutcome> out = applier.apply(List.of(a, ghost, b), bob.id());
        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED, Result.HELD, Result.APPLIED);
        assertThat(notesBetween(6001, 6002)).isEqualTo(2);
    }

    @Test
    void anEntryThatChangesNothingEndsTheGroupAndWritesNothing() {
        ChangeEntry a = bobNote(7001, true);
        ChangeEntry end = bob.next(new RowChange("notes", "[7001]", Operation.UPDATE, Kind.EDIT,
                "{\"id\":7001,\"title\":\"not this\",\"body\":null}", ChangeEntry.NO_COLUMNS), a.vector(), later(), false);
        assertThat(applier.apply(List.of(a), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.STAGED);
        assertThat(notesBetween(7001, 7001)).isZero();
        assertThat(applier.apply(List.of(end), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
        assertThat(jdbc.sql("SELECT title FROM notes WHERE id = 7001").query(String.class).single()).isEqualTo("bob 7001");
        assertThat(rows.find("notes", "[7001]").orElseThrow().vector()).as("a marker only").isEqualTo(a.vector());
        assertThat(rows.find("notes", "[7001]").orElseThrow().version()).isEqualTo(a.version());
    }
}
