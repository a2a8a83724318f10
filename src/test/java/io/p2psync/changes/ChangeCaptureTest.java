package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.identity.DeviceIdentity;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Capture and sealing on a real SQLite file: writes through the service and by another program. */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ChangeCaptureTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.tables", () -> "notes,inventory");
        registry.add("p2psync.capture.assigned-keys", () -> "notes");
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/testmigration");
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    ChangeTracker tracker;
    @Autowired
    DeviceIdentity identity;
    @Autowired
    ScanScheduler scans;

    /**
     * These tests count versions: the start-up scan, racing them for a row whose capture is pending, would
     * open a group that an entry of its own then ends (docs/storage.md, "Groups"). Stopping waits for it.
     */
    @BeforeEach
    void withoutTheStartUpScan() {
        scans.stop();
    }

    private Connection otherProgram() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("p2psync.db"));
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    private List<Map<String, Object>> logFor(String table, String recordId) {
        return jdbc.sql("SELECT * FROM sync_log_view WHERE table_name = ? AND record_id = ? ORDER BY id")
                .params(table, recordId).query().listOfRows();
    }

    @Test
    void sealsAWriteByAnotherProgramWithinASecond() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (id, title, body) VALUES (101, 'from sqlite3', 'hi')");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[101]").size() == 1);
        Map<String, Object> row = logFor("notes", "[101]").get(0);
        assertThat(row.get("operation")).isEqualTo("INSERT");
        assertThat(row.get("device_id")).isEqualTo(identity.deviceId().toString());
        assertThat(row.get("change_data")).isEqualTo("{\"id\":101,\"title\":\"from sqlite3\",\"body\":\"hi\"}");
        assertThat((String) row.get("signature")).isNotBlank();
        assertThat(tracker.verify()).isEmpty();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_capture").query(Long.class).single()).isZero();
    }

    @Test
    void sealsAWriteFromTheSqlite3ShellWithinASecond() throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("sqlite3", "-version").redirectErrorStream(true).start();
        } catch (java.io.IOException noShell) {
            probe = null;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(probe != null && probe.waitFor() == 0, "no sqlite3 shell here");
        Process shell = new ProcessBuilder("sqlite3", dataDir.resolve("p2psync.db").toString(),
                ".timeout 10000", "INSERT INTO notes (id, title) VALUES (150, 'typed in sqlite3')")
                .redirectErrorStream(true).start();
        String out = new String(shell.getInputStream().readAllBytes());
        assertThat(shell.waitFor()).as(out).isZero();
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[150]").size() == 1);
        assertThat(logFor("notes", "[150]").get(0).get("change_data"))
                .isEqualTo("{\"id\":150,\"title\":\"typed in sqlite3\",\"body\":null}");
    }

    @Test
    void capturesUpdatesWithChangedColumnsAndDeletes() throws Exception {
        // The sealer seals a row as it stands when it seals, so each step waits until the one before is sealed.
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (id, title, body) VALUES (102, 'a', 'b')");
            await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[102]").size() == 1);
            s.executeUpdate("UPDATE notes SET body = 'c' WHERE id = 102");
            await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[102]").size() == 2);
            s.executeUpdate("UPDATE notes SET body = 'c' WHERE id = 102"); // changes nothing: not captured
            s.executeUpdate("DELETE FROM notes WHERE id = 102");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[102]").size() == 3);
        List<Map<String, Object>> log = logFor("notes", "[102]");
        assertThat(log).extracting(r -> r.get("operation")).containsExactly("INSERT", "UPDATE", "DELETE");
        assertThat(log.get(1).get("changed_columns")).isEqualTo("[\"body\"]");
        assertThat(log.get(2).get("change_data")).isNull();
        String self = identity.deviceId().toString();
        long v1 = ((Number) log.get(0).get("version")).longValue();
        assertThat(log.get(1).get("base")).isEqualTo("{\"" + self + "\":" + v1 + "}");
        RowState state = rowState("notes", "[102]");
        assertThat(state.deleted()).isTrue();
        assertThat(state.vector().get(self)).isEqualTo(v1 + 2);
    }

    @Test
    void tracksACompositeKeyTableAsAJsonArrayRecordId() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO inventory (warehouse, sku, qty) VALUES ('north', 'A-1', 5)");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("inventory", "[\"north\",\"A-1\"]").size() == 1);
        assertThat(logFor("inventory", "[\"north\",\"A-1\"]").get(0).get("change_data"))
                .isEqualTo("{\"warehouse\":\"north\",\"sku\":\"A-1\",\"qty\":5}");
    }

    @Test
    void aKeyChangeIsADeleteOfTheOldIdAndAnInsertOfTheNew() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (id, title) VALUES (103, 'moving')");
            await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[103]").size() == 1);
            s.executeUpdate("UPDATE notes SET id = 104 WHERE id = 103");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[104]").size() == 1);
        assertThat(logFor("notes", "[103]")).extracting(r -> r.get("operation")).containsExactly("INSERT", "DELETE");
        assertThat(logFor("notes", "[104]").get(0).get("operation")).isEqualTo("INSERT");
    }

    @Test
    void versionsHaveNoGapsAndTheChainVerifies() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            for (int i = 0; i < 50; i++) {
                s.executeUpdate("INSERT INTO notes (id, title) VALUES (" + (200 + i) + ", 'n" + i + "')");
            }
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[249]").size() == 1);
        List<Long> versions = jdbc.sql("SELECT version FROM sync_log_view WHERE device_id = ? ORDER BY version")
                .param(identity.deviceId().toString()).query(Long.class).list();
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).isEqualTo(i + 1L);
        }
        assertThat(tracker.verify()).isEmpty();
        assertThat(tracker.versionVector().get(identity.deviceId().toString())).isEqualTo(versions.size());
    }

    @Test
    void listsWhatAnotherDeviceLacksInPages() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                s.executeUpdate("INSERT INTO notes (id, title) VALUES (" + (300 + i) + ", 'p')");
            }
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[304]").size() == 1);
        String self = identity.deviceId().toString();
        long head = tracker.versionVector().get(self);
        VersionVector theirs = VersionVector.of(Map.of(self, head - 5));
        List<ChangeEntry> first = tracker.missingFrom(theirs, 3);
        assertThat(first).extracting(ChangeEntry::version).containsExactly(head - 4, head - 3, head - 2);
        VersionVector after = theirs.with(self, first.get(2).version());
        assertThat(tracker.missingFrom(after, 3)).extracting(ChangeEntry::version).containsExactly(head - 1, head);
        assertThat(tracker.missingFrom(tracker.versionVector(), 3)).isEmpty();
        assertThat(tracker.missingFrom(VersionVector.EMPTY, 10_000)).hasSize((int) tracker.count());
    }

    @Test
    void marksEntriesAsSynced() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (id, title) VALUES (400, 's')");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[400]").size() == 1);
        long version = ((Number) logFor("notes", "[400]").get(0).get("version")).longValue();
        assertThat(tracker.markSynced(List.of(new EntryRef(identity.deviceId().toString(), version)))).isEqualTo(1);
        assertThat(logFor("notes", "[400]").get(0).get("is_synced")).isEqualTo(1);
    }

    @Test
    void verificationNamesAnEntryWithOneFlippedByte() throws Exception {
        try (Connection c = otherProgram(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (id, title) VALUES (500, 'genuine')");
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> logFor("notes", "[500]").size() == 1);
        long id = ((Number) logFor("notes", "[500]").get(0).get("id")).longValue();
        long version = ((Number) logFor("notes", "[500]").get(0).get("version")).longValue();
        try {
            // 'g' (0x67) -> 'f' (0x66): one bit of one byte
            jdbc.sql("UPDATE sync_log SET change_data = replace(change_data, 'genuine', 'fenuine') WHERE id = ?")
                    .param(id).update();
            List<VerificationFailure> failures = tracker.verify();
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0).id()).isEqualTo(id);
            assertThat(failures.get(0).entry()).isEqualTo(new EntryRef(identity.deviceId().toString(), version));
            assertThat(failures.get(0).reason()).contains("hash");
        } finally {
            jdbc.sql("UPDATE sync_log SET change_data = replace(change_data, 'fenuine', 'genuine') WHERE id = ?")
                    .param(id).update();
        }
        assertThat(tracker.verify()).isEmpty();
    }

    private RowState rowState(String table, String recordId) {
        return jdbc.sql("SELECT vector, origin, version, hlc, deleted FROM sync_row_state_view WHERE table_name = ? AND record_id = ?")
                .params(table, recordId)
                .query((rs, n) -> new RowState(table, recordId, VersionVector.parse(rs.getString(1)), rs.getString(2),
                        rs.getLong(3), rs.getLong(4), rs.getInt(5) == 1, null, null))
                .single();
    }
}
