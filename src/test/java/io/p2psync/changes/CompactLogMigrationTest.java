package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * V17 on a log and row states as V16 kept them: every entry reads back exactly as it was stored (through the
 * log and through {@code sync_log_view}), every row state keeps its vector, and the log still verifies.
 */
class CompactLogMigrationTest {

    @TempDir
    Path dir;

    @Test
    void everyEntryAndRowStateOfAV16FileReadsBackExactly() {
        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + dir.resolve("v16.db"), true);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("16").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            RemoteDevice alice = new RemoteDevice();
            RemoteDevice bob = new RemoteDevice();
            List<ChangeEntry> entries = new ArrayList<>();
            // alice: a group of three (two continue, unsigned), then a single one; bob edits on top of alice's
            for (int i = 0; i < 3; i++) {
                entries.add(alice.next(new RowChange("notes", "[" + i + "]", Operation.INSERT, Kind.EDIT,
                        "{\"id\":" + i + ",\"title\":\"t" + i + "\"}", null), VersionVector.EMPTY, 100 + i, i < 2));
            }
            entries.add(alice.next(new RowChange("notes", "[9]", Operation.INSERT, Kind.EDIT,
                    "{\"id\":9,\"title\":\"nine\"}", null), VersionVector.EMPTY, 200));
            ChangeEntry edit = bob.next(new RowChange("notes", "[0]", Operation.UPDATE, Kind.EDIT,
                    "{\"id\":0,\"title\":\"bob's\"}", "[\"title\"]"), entries.get(0).vector(), 300);
            entries.add(edit);
            for (ChangeEntry e : entries) { // as V16 stored them: text ids, hex hashes, '' for no signature
                jdbc.sql("""
                        INSERT INTO sync_log (device_id, version, hlc, timestamp, table_name, record_id, operation, kind,
                            change_data, changed_columns, base, prev_hash, hash, signature, continues, received_from,
                            received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                                e.operation().name(), e.kind().name(), e.data(), e.changedColumns(), e.base().toJson(),
                                e.prevHash(), e.hash(), e.signature() == null ? "" : e.signature(),
                                e.continues() ? 1 : 0, bob.id(), 5000)
                        .update();
            }
            // row 0: written by bob on top of alice (two origins); row 9: alice alone
            String both = edit.vector().toJson();
            String alone = entries.get(3).vector().toJson();
            jdbc.sql("INSERT INTO sync_row_state (table_name, record_id, vector, origin, version, hlc) VALUES"
                    + " ('notes', '[0]', ?, ?, 1, 300), ('notes', '[9]', ?, ?, 4, 200)")
                    .params(both, bob.id(), alone, alice.id()).update();
            List<Map<String, Object>> before = jdbc.sql("SELECT device_id, version, hash, prev_hash,"
                    + " NULLIF(signature, '') AS signature, received_from FROM sync_log ORDER BY id").query().listOfRows();

            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();

            ChangeLog log = new ChangeLog(jdbc, new JdbcTemplate(ds));
            for (ChangeEntry e : entries) {
                assertThat(log.find(e.origin(), e.version())).as("%s#%d", e.origin(), e.version()).contains(e);
            }
            assertThat(log.missingFrom(VersionVector.EMPTY, 100)).containsExactlyElementsOf(entries);
            assertThat(log.vector()).isEqualTo(VersionVector.EMPTY.with(alice.id(), 4).with(bob.id(), 1));
            assertThat(jdbc.sql("SELECT device_id, version, hash, prev_hash, signature, received_from FROM sync_log_view"
                    + " ORDER BY id").query().listOfRows()).isEqualTo(before);
            assertThat(new ChangeVerifier(jdbc).verifyAll()).isEmpty();

            RowStates states = new RowStates(jdbc, new JdbcTemplate(ds));
            assertThat(states.find("notes", "[0]").orElseThrow().vector().toJson()).isEqualTo(both);
            assertThat(states.find("notes", "[9]").orElseThrow().vector().toJson()).isEqualTo(alone);
            assertThat(jdbc.sql("SELECT record_id FROM sync_row_state WHERE vector IS NULL").query(String.class).list())
                    .as("only the vector of one device's row is kept as NULL").containsExactly("[9]");
            assertThat(jdbc.sql("SELECT vector FROM sync_row_state_view ORDER BY record_id").query(String.class).list())
                    .containsExactly(both, alone);
        } finally {
            ds.destroy();
        }
    }
}
