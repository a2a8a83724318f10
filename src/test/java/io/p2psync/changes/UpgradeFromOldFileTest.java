package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A node file made by a version before key-only capture (V5) and before {@code kv_store} became
 * {@code sync_kv} (V7): its history in {@code flyway_schema_history} up to V4, record ids of one-column keys
 * as the key's text ({@code n1}, not {@code ["n1"]}), the key-value table as {@code kv_store}, row states and
 * signed entries of that form. Started with this version, every row must still reach a new device.
 */
class UpgradeFromOldFileTest {

    @TempDir
    Path dir;

    private final RemoteDevice origin = new RemoteDevice();
    private long hlc = 1L << 40;

    @Test
    void everyRowOfAnOldFileReachesANewDeviceAndTheScanDoesNotWalkTheOldStatesAgain() {
        Path file = dir.resolve("old.db");
        makeOldFile(file);

        try (StandaloneDevice upgraded = new StandaloneDevice(file, List.of("notes"), System::currentTimeMillis,
                List.of());
             StandaloneDevice phone = new StandaloneDevice(dir.resolve("phone.db"), List.of("notes"),
                     System::currentTimeMillis, List.of("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)"))) {
            List<ReconciliationScan.TableScan> first = upgraded.scan().scanAll();
            assertThat(first).extracting(ReconciliationScan.TableScan::sealed).as("rows re-sealed in the new form")
                    .containsOnly(2L, 1L);

            phone.applier().apply(upgraded.tracker().missingFrom(VersionVector.EMPTY, ChangeTracker.MAX_PAGE),
                    upgraded.id());

            assertThat(phone.jdbc().sql("SELECT id, body FROM notes ORDER BY id").query().listOfRows())
                    .containsExactly(Map.of("id", "n1", "body", "one"), Map.of("id", "n2", "body", "two"));
            assertThat(phone.jdbc().sql("SELECT key, value FROM sync_kv").query().listOfRows())
                    .containsExactly(Map.of("key", "k", "value", "v"));
            assertThat(upgraded.tracker().verify()).isEmpty();

            // no row state of the old form is left: the scan compares 2 rows, nothing more, and seals nothing
            assertThat(upgraded.scan().scan(List.of("notes")))
                    .containsExactly(new ReconciliationScan.TableScan("notes", 2, 0));
            assertThat(upgraded.jdbc().sql("SELECT record_id FROM sync_row_state ORDER BY table_name, record_id")
                    .query(String.class).list()).containsExactly("[\"n1\"]", "[\"n2\"]", "[\"k\"]");

            // a conflict pending from before names the old record id: resolving it writes nothing, seals nothing
            long logged = upgraded.tracker().count();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> upgraded.applier().writeLocal(new RowChange(
                    "notes", "n1", Operation.UPDATE, Kind.RESOLUTION, "{\"id\":\"n1\",\"body\":\"mine\"}", null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n1");
            assertThat(upgraded.tracker().count()).isEqualTo(logged);
            assertThat(upgraded.jdbc().sql("SELECT body FROM notes WHERE id = 'n1'").query(String.class).single())
                    .isEqualTo("one");
        }
    }

    /** The file as the version of 2026-11-21 left it, with entries another device made. */
    private void makeOldFile(Path file) {
        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + file, true);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("4").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            jdbc.sql("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)").update();
            jdbc.sql("INSERT INTO notes VALUES ('n1', 'one'), ('n2', 'two')").update();
            jdbc.sql("INSERT INTO kv_store VALUES ('k', 'v', '2026-11-21T00:00:00Z', NULL)").update();

            List<ChangeEntry> entries = new ArrayList<>();
            List<RowState> states = new ArrayList<>();
            for (Map<String, Object> row : List.of(row("id", "n1", "body", "one"), row("id", "n2", "body", "two"),
                    row("id", "n3", "body", "gone"))) {
                ChangeEntry e = next("notes", (String) row.get("id"), Operation.INSERT, row, VersionVector.EMPTY);
                entries.add(e);
                states.add(RowState.writtenBy(e, VersionVector.EMPTY).withColumnHashes(RowHashes.of(row)));
            }
            ChangeEntry gone = next("notes", "n3", Operation.DELETE, null, entries.get(2).vector());
            entries.add(gone);
            states.set(2, RowState.writtenBy(gone, entries.get(2).vector()).withColumnHashes(states.get(2).columnHashes()));
            Map<String, Object> kv = row("key", "k", "value", "v", "timestamp", "2026-11-21T00:00:00Z", "deleted_at", null);
            ChangeEntry k = next("kv_store", "k", Operation.INSERT, kv, VersionVector.EMPTY);
            entries.add(k);
            states.add(RowState.writtenBy(k, VersionVector.EMPTY).withColumnHashes(RowHashes.of(kv)));

            // as the log of that version stored them (no continues column yet: that came with V8)
            for (ChangeEntry e : entries) {
                jdbc.sql("""
                        INSERT INTO sync_log (device_id, version, hlc, timestamp, table_name, record_id, operation, kind,
                            change_data, changed_columns, base, prev_hash, hash, signature, received_from, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                                e.operation().name(), e.kind().name(), e.data(), e.changedColumns(), e.base().toJson(),
                                e.prevHash(), e.hash(), e.signature(), origin.id(), System.currentTimeMillis())
                        .update();
            }
            for (RowState st : states) { // as that version stored them: origins and vectors as text
                jdbc.sql("""
                        INSERT INTO sync_row_state (table_name, record_id, vector, origin, version, hlc, deleted,
                            column_clocks, column_hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(st.table(), st.recordId(), st.vector().toJson(), st.origin(), st.version(), st.hlc(),
                                st.deleted() ? 1 : 0, st.columnClocks(), st.columnHashes())
                        .update();
            }
        } finally {
            ds.destroy();
        }
    }

    private ChangeEntry next(String table, String oldRecordId, Operation op, Map<String, Object> row, VersionVector base) {
        hlc += 1 << 16;
        return origin.next(new RowChange(table, oldRecordId, op, Kind.EDIT, row == null ? null : SqlValues.encodeRow(row),
                null), base, hlc);
    }

    private static Map<String, Object> row(Object... pairs) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            row.put((String) pairs[i], pairs[i + 1]);
        }
        return row;
    }
}
