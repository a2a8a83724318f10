package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ApplyOutcome.Result;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.identity.HybridLogicalClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Applying entries made by other devices, on a real SQLite file. */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class RemoteChangeApplierTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.tables", () -> "notes,inventory");
        registry.add("p2psync.capture.assigned-keys", () -> "notes");
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/testmigration");
        // the whole-row rule these tests were written for; merge (the default) has tests of its own
        registry.add("p2psync.conflicts.default-policy", () -> "timestamp");
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    ChangeTracker tracker;
    @Autowired
    RemoteChangeApplier applier;
    @Autowired
    DeviceIdentity identity;
    @Autowired
    HybridLogicalClock clock;
    @Autowired
    HeldEntries held;
    @Autowired
    io.p2psync.devices.DeviceRepository devices;

    private final RemoteDevice bob = new RemoteDevice();
    private final RemoteDevice carol = new RemoteDevice();

    private long later() {
        return clock.last() + (1L << 20);
    }

    private Optional<String> note(int id) {
        return jdbc.sql("SELECT title FROM notes WHERE id = ?").param(id).query(String.class).optional();
    }

    private long logCount(String table, String recordId) {
        return jdbc.sql("SELECT COUNT(*) FROM sync_log WHERE table_name = ? AND record_id = ?")
                .params(table, recordId).query(Long.class).single();
    }

    private void otherProgram(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("p2psync.db"));
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.executeUpdate(sql);
        }
    }

    @Test
    void appliesARemoteEntryWithoutCapturingItAgain() {
        ChangeEntry e = bob.next(RemoteDevice.upsert("notes", "[600]", "{\"id\":600,\"title\":\"from bob\",\"body\":null}"),
                VersionVector.EMPTY, later());
        List<ApplyOutcome> out = applier.apply(List.of(e), bob.id());
        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
        assertThat(note(600)).contains("from bob");
        assertThat(tracker.sealPending()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_capture").query(Long.class).single()).isZero();
        assertThat(logCount("notes", "[600]")).isEqualTo(1);
        assertThat(tracker.find(EntryRef.of(e))).contains(e);
        assertThat(jdbc.sql("SELECT received_from FROM sync_log_view WHERE hash = ?").param(e.hash()).query(String.class).single())
                .isEqualTo(bob.id());
        assertThat(jdbc.sql("SELECT applying FROM sync_apply_guard").query(Integer.class).single()).isZero();
        assertThat(tracker.versionVector().get(bob.id())).isEqualTo(1);
        assertThat(clock.last()).isGreaterThan(e.hlc());
        assertThat(tracker.verify()).isEmpty();

        // receiving it again changes nothing
        assertThat(applier.apply(List.of(e), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.DUPLICATE);
        assertThat(logCount("notes", "[600]")).isEqualTo(1);
    }

    @Test
    void localWritesAfterAnApplyAreCapturedAgainAndBuildOnTheRemoteVersion() throws Exception {
        ChangeEntry e = bob.next(RemoteDevice.upsert("notes", "[610]", "{\"id\":610,\"title\":\"b\",\"body\":null}"),
                VersionVector.EMPTY, later());
        applier.apply(List.of(e), bob.id());
        otherProgram("UPDATE notes SET title = 'local' WHERE id = 610");
        await().atMost(Duration.ofSeconds(1)).until(() -> logCount("notes", "[610]") == 2);
        ChangeEntry local = tracker.missingFrom(VersionVector.EMPTY, 10_000).stream()
                .filter(x -> x.recordId().equals("[610]") && x.origin().equals(identity.deviceId().toString()))
                .findFirst().orElseThrow();
        assertThat(local.base()).isEqualTo(e.vector());
    }

    @Test
    void appliesDeletesAndCompositeKeys() {
        ChangeEntry put = bob.next(RemoteDevice.upsert("inventory", "[\"south\",\"B-2\"]",
                "{\"warehouse\":\"south\",\"sku\":\"B-2\",\"qty\":3}"), VersionVector.EMPTY, later());
        ChangeEntry del = bob.next(RemoteDevice.delete("inventory", "[\"south\",\"B-2\"]"), put.vector(), later());
        assertThat(applier.apply(List.of(put), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
        assertThat(jdbc.sql("SELECT qty FROM inventory WHERE warehouse = 'south' AND sku = 'B-2'").query(Integer.class).single())
                .isEqualTo(3);
        assertThat(applier.apply(List.of(del), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM inventory WHERE sku = 'B-2'").query(Long.class).single()).isZero();
        assertThat(tracker.sealPending()).isZero();
    }

    @Test
    void rejectsAGapAndEverythingAfterItFromThatOriginButGoesOnWithOthers() {
        ChangeEntry b1 = bob.next(RemoteDevice.upsert("notes", "[620]", "{\"id\":620,\"title\":\"1\"}"), VersionVector.EMPTY, later());
        ChangeEntry b2 = bob.next(RemoteDevice.upsert("notes", "[621]", "{\"id\":621,\"title\":\"2\"}"), VersionVector.EMPTY, later());
        ChangeEntry b3 = bob.next(RemoteDevice.upsert("notes", "[622]", "{\"id\":622,\"title\":\"3\"}"), VersionVector.EMPTY, later());
        ChangeEntry c1 = carol.next(RemoteDevice.upsert("notes", "[623]", "{\"id\":623,\"title\":\"c\"}"), VersionVector.EMPTY, later());
        List<ApplyOutcome> out = applier.apply(List.of(b1, b3, c1, b2), bob.id());
        assertThat(out).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED, Result.REJECTED, Result.APPLIED, Result.REJECTED);
        assertThat(out.get(1).detail()).contains("expected version 2");
        assertThat(out.get(1).reason()).isEqualTo(RejectReason.OUT_OF_ORDER);
        assertThat(out.get(3).detail()).contains("earlier entry");
        assertThat(out.get(3).reason()).isEqualTo(RejectReason.EARLIER_REJECTED);
        assertThat(note(622)).isEmpty();
        assertThat(note(623)).contains("c");
        // the sender pushes again from the gap
        assertThat(applier.apply(List.of(b2, b3), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED, Result.APPLIED);
    }

    @Test
    void rejectsATamperedEntryAndAForgedSignature() {
        ChangeEntry good = bob.next(RemoteDevice.upsert("notes", "[630]", "{\"id\":630,\"title\":\"ok\"}"), VersionVector.EMPTY, later());
        ChangeEntry tampered = new ChangeEntry(good.origin(), good.version(), good.hlc(), good.timestamp(), good.table(),
                good.recordId(), good.operation(), good.kind(), good.data().replace("ok", "evil"), good.changedColumns(),
                good.base(), good.prevHash(), good.hash(), good.signature());
        assertThat(applier.apply(List.of(tampered), bob.id()).get(0).detail()).contains("hash");
        ChangeEntry carols = carol.next(RemoteDevice.upsert("notes", "[630]", "{\"id\":630,\"title\":\"ok\"}"), VersionVector.EMPTY, good.hlc());
        ChangeEntry forged = new ChangeEntry(carols.origin(), 1, carols.hlc(), carols.timestamp(), carols.table(),
                carols.recordId(), carols.operation(), carols.kind(), carols.data(), null, carols.base(), null,
                carols.hash(), good.signature());
        assertThat(applier.apply(List.of(forged), bob.id()).get(0).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(note(630)).isEmpty();
        assertThat(applier.apply(List.of(good), bob.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
    }

    @Test
    void anEntryMadeOnAnEditNotHereYetWaitsForItAndThenApplies() {
        ChangeEntry c1 = carol.next(RemoteDevice.upsert("notes", "[640]", "{\"id\":640,\"title\":\"carol\"}"), VersionVector.EMPTY, later());
        ChangeEntry b1 = bob.next(RemoteDevice.upsert("notes", "[640]", "{\"id\":640,\"title\":\"bob saw carol\"}"), c1.vector(), later());
        // bob's entry arrives first (through another relay), carol's later
        List<ApplyOutcome> first = applier.apply(List.of(b1), bob.id());
        assertThat(first).extracting(ApplyOutcome::result).containsExactly(Result.HELD);
        assertThat(first.get(0).reason()).isEqualTo(HoldReason.UNKNOWN_BASE);
        assertThat(tracker.find(EntryRef.of(b1))).contains(b1); // stored for relaying all the same

        assertThat(applier.apply(List.of(c1), carol.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);
        assertThat(note(640)).contains("bob saw carol"); // bob's, released once carol's is here: it is on top of it
        assertThat(held.find(EntryRef.of(b1))).isEmpty();
    }

    @Test
    void anEntryWhoseBaseNamesVersionsNobodyMadeWaitsWithoutHoldingUpTheRow() {
        ChangeEntry c1 = carol.next(RemoteDevice.upsert("notes", "[641]", "{\"id\":641,\"title\":\"carol\"}"), VersionVector.EMPTY, later());
        applier.apply(List.of(c1), carol.id());
        ChangeEntry inflated = bob.next(RemoteDevice.upsert("notes", "[641]", "{\"id\":641,\"title\":\"bob\"}"),
                VersionVector.of(java.util.Map.of(carol.id(), 1L << 40)), later());
        ChangeEntry c2 = carol.next(RemoteDevice.upsert("notes", "[641]", "{\"id\":641,\"title\":\"carol again\"}"), c1.vector(), later());

        assertThat(applier.apply(List.of(inflated), bob.id())).extracting(ApplyOutcome::reason)
                .containsExactly(HoldReason.UNKNOWN_BASE);
        assertThat(applier.apply(List.of(c2), carol.id())).extracting(ApplyOutcome::result).containsExactly(Result.APPLIED);

        assertThat(note(641)).contains("carol again");
        assertThat(held.find(EntryRef.of(inflated))).map(HeldEntry::reason).contains(HoldReason.UNKNOWN_BASE);
    }

    @Test
    void anEntryMadeOnTheEditOfADeviceRevokedHereDoesNotWaitForIt() {
        RemoteDevice revoked = new RemoteDevice();
        devices.addAuthorized(revoked.identity.deviceId(), "lost phone", null, java.time.Instant.now());
        devices.setStatus(revoked.identity.deviceId(), io.p2psync.devices.DeviceStatus.REVOKED);
        ChangeEntry r1 = revoked.next(RemoteDevice.upsert("notes", "[642]", "{\"id\":642,\"title\":\"phone\"}"),
                VersionVector.EMPTY, later());
        ChangeEntry onIt = bob.next(RemoteDevice.upsert("notes", "[642]", "{\"id\":642,\"title\":\"bob on phone's\"}"),
                r1.vector(), later());

        // the phone's own entry never comes here (it is refused), so bob's, made on it, must not wait for it
        assertThat(applier.apply(List.of(onIt), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED);
        assertThat(note(642)).contains("bob on phone's");
    }

    @Test
    void settlesConcurrentEditsByTheLaterClock() throws Exception {
        otherProgram("INSERT INTO notes (id, title) VALUES (650, 'local')");
        await().atMost(Duration.ofSeconds(1)).until(() -> logCount("notes", "[650]") == 1);
        ChangeEntry newer = bob.next(RemoteDevice.upsert("notes", "[650]", "{\"id\":650,\"title\":\"bob, later\"}"),
                VersionVector.EMPTY, later());
        List<ApplyOutcome> out = applier.apply(List.of(newer), bob.id());
        assertThat(out.get(0).result()).isEqualTo(Result.CONFLICT);
        assertThat(out.get(0).reason()).isEqualTo(ConcurrentEditPolicy.Decision.TAKE_REMOTE);
        assertThat(note(650)).contains("bob, later");

        otherProgram("INSERT INTO notes (id, title) VALUES (651, 'local, later')");
        await().atMost(Duration.ofSeconds(1)).until(() -> logCount("notes", "[651]") == 1);
        ChangeEntry older = carol.next(RemoteDevice.upsert("notes", "[651]", "{\"id\":651,\"title\":\"carol, earlier\"}"),
                VersionVector.EMPTY, 1);
        out = applier.apply(List.of(older), carol.id());
        assertThat(out.get(0).reason()).isEqualTo(ConcurrentEditPolicy.Decision.KEEP_LOCAL);
        assertThat(note(651)).contains("local, later");
        String vector = jdbc.sql("SELECT vector FROM sync_row_state_view WHERE table_name = 'notes' AND record_id = '[651]'")
                .query(String.class).single();
        assertThat(VersionVector.parse(vector).dominates(older.vector())).isTrue();
    }

    @Test
    void logsAResolutionWhoseBaseCoversBothSides() throws Exception {
        otherProgram("INSERT INTO notes (id, title) VALUES (670, 'local')");
        await().atMost(Duration.ofSeconds(1)).until(() -> logCount("notes", "[670]") == 1);
        ChangeEntry remote = bob.next(RemoteDevice.upsert("notes", "[670]", "{\"id\":670,\"title\":\"bob\"}"),
                VersionVector.EMPTY, 1);
        assertThat(applier.apply(List.of(remote), bob.id()).get(0).result()).isEqualTo(Result.CONFLICT);
        ChangeEntry resolution = tracker.log(new RowChange("notes", "[670]", Operation.UPDATE, Kind.RESOLUTION,
                "{\"id\":670,\"title\":\"local\"}", null));
        assertThat(resolution.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(resolution.base().dominates(remote.vector())).isTrue();
        assertThat(resolution.base().get(identity.deviceId().toString())).isPositive();
        assertThat(tracker.verify(resolution)).isEmpty();
        assertThat(tracker.verify()).isEmpty();
    }

    @Test
    void holdsEntriesForATableNotTrackedHereAndGoesOnWithTheOrigin() {
        ChangeEntry e = bob.next(RemoteDevice.upsert("secrets", "[1]", "{\"id\":1}"), VersionVector.EMPTY, later());
        ChangeEntry next = bob.next(RemoteDevice.upsert("notes", "[680]", "{\"id\":680,\"title\":\"after\"}"),
                VersionVector.EMPTY, later());
        List<ApplyOutcome> out = applier.apply(List.of(e, next), bob.id());
        assertThat(out).extracting(ApplyOutcome::result).containsExactly(Result.HELD, Result.APPLIED);
        assertThat(out.get(0).reason()).isEqualTo(HoldReason.MISSING_TABLE);
        assertThat(out.get(0).detail()).contains("not tracked");
        assertThat(tracker.find(EntryRef.of(e))).contains(e); // stored: the chain goes on, it is relayed
        assertThat(note(680)).contains("after");
    }

    @Test
    void holdsRowDataTheTableCannotHoldWithoutHalfApplying() {
        ChangeEntry bad = bob.next(RemoteDevice.upsert("notes", "[660]", "{\"id\":660,\"title\":null}"), VersionVector.EMPTY, later());
        ApplyOutcome out = applier.apply(List.of(bad), bob.id()).get(0);
        assertThat(out.result()).isEqualTo(Result.HELD);
        assertThat(out.reason()).isEqualTo(HoldReason.NOT_NULL);
        assertThat(tracker.find(EntryRef.of(bad))).contains(bad);
        assertThat(note(660)).isEmpty();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_row_state WHERE record_id = '[660]'").query(Long.class).single()).isZero();
    }
}
