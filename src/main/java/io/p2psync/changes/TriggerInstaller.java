package io.p2psync.changes;

import io.p2psync.storage.StartupProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Installs the capture triggers: AFTER INSERT, UPDATE and DELETE on {@code sync_kv} and every table in
 * {@code p2psync.tables}, each writing the change to {@code sync_capture} unless the apply guard is set.
 *
 * <p>Triggers live in the database file, so they also capture writes by other programs. They are
 * rewritten on start whenever their SQL differs from what the current columns need (a column was added,
 * say), and left alone otherwise; all in one transaction. A table is refused, failing start-up, when it does
 * not exist, has no primary key, has a column declared BLOB (JSON cannot carry bytes), or is one of ours.
 */
class TriggerInstaller {

    static final String KV_TABLE = "sync_kv";
    private static final Logger log = LoggerFactory.getLogger(TriggerInstaller.class);
    private static final String NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String NOT_APPLYING = "(SELECT applying FROM sync_apply_guard WHERE id = 1) = 0";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    TriggerInstaller(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * @throws IllegalStateException naming the table and the reason if a table cannot be tracked
     */
    Map<String, TrackedTable> install(List<String> configured) {
        Set<String> names = new LinkedHashSet<>();
        names.add(KV_TABLE);
        names.addAll(configured);
        Map<String, TrackedTable> tables = new LinkedHashMap<>();
        for (String name : names) {
            tables.put(name, describe(name));
        }
        tx.executeWithoutResult(status -> tables.values().forEach(this::installTriggers));
        return tables;
    }

    private TrackedTable describe(String name) {
        if (name == null || name.isBlank() || (name.toLowerCase(Locale.ROOT).startsWith("sync_") && !name.equals(KV_TABLE))
                || name.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
            throw new StartupProblem("p2psync.tables", String.valueOf(name), "a blank or reserved table name "
                    + "(sync_* tables are p2p-sync's own, sqlite_* SQLite's)", "list only the app's own tables");
        }
        record Column(String name, String type, int pk) {
        }
        List<Column> columns = jdbc.sql("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid")
                .param(name)
                .query((rs, n) -> new Column(rs.getString(1), rs.getString(2), rs.getInt(3)))
                .list();
        if (columns.isEmpty()) {
            throw new IllegalStateException("p2psync.tables: table '" + name + "' does not exist in the database");
        }
        List<String> blobs = columns.stream().filter(c -> c.type().toUpperCase(Locale.ROOT).contains("BLOB"))
                .map(Column::name).toList();
        if (!blobs.isEmpty()) {
            throw new IllegalStateException("p2psync.tables: table '" + name + "' has BLOB columns " + blobs
                    + "; store bytes as base64 TEXT to sync them");
        }
        TreeMap<Integer, String> key = new TreeMap<>();
        columns.stream().filter(c -> c.pk() > 0).forEach(c -> key.put(c.pk(), c.name()));
        if (key.isEmpty()) {
            throw new IllegalStateException("p2psync.tables: table '" + name + "' has no PRIMARY KEY; "
                    + "synced rows need a stable key to be matched across devices");
        }
        boolean rowidKey = key.size() == 1 && columns.stream()
                .anyMatch(c -> c.pk() == 1 && c.type().equalsIgnoreCase("INTEGER"))
                && !jdbc.sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").param(name)
                        .query(String.class).optional().orElse("").toUpperCase(Locale.ROOT).contains("WITHOUT ROWID");
        return new TrackedTable(name, columns.stream().map(Column::name).toList(), new ArrayList<>(key.values()),
                rowidKey);
    }

    private void installTriggers(TrackedTable t) {
        Map<String, String> wanted = Map.of(
                triggerName(t, "insert"), insertTrigger(t),
                triggerName(t, "update"), updateTrigger(t),
                triggerName(t, "delete"), deleteTrigger(t));
        wanted.forEach((name, sql) -> {
            String existing = jdbc.sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
                    .param(name).query(String.class).optional().orElse(null);
            if (!sql.equals(existing)) {
                jdbc.sql("DROP TRIGGER IF EXISTS " + TrackedTable.quote(name)).update();
                jdbc.sql(sql).update();
                log.info("installed capture trigger {}", name);
            }
        });
    }

    static String triggerName(TrackedTable t, String event) {
        return "p2psync_capture_" + t.name() + "_" + event;
    }

    private static String capture(TrackedTable t, String recordId, String operation, String data, String changed) {
        return "INSERT INTO sync_capture (table_name, record_id, operation, row_data, changed_columns, captured_at) "
                + "VALUES (" + TrackedTable.literal(t.name()) + ", " + recordId + ", " + operation + ", " + data
                + ", " + changed + ", " + NOW_MS + ");";
    }

    private static String insertTrigger(TrackedTable t) {
        return "CREATE TRIGGER " + TrackedTable.quote(triggerName(t, "insert")) + " AFTER INSERT ON " + t.quotedName()
                + " WHEN " + NOT_APPLYING + " BEGIN "
                + capture(t, t.recordIdSql("NEW"), "'INSERT'", t.rowJsonSql("NEW"), "NULL") + " END";
    }

    private static String deleteTrigger(TrackedTable t) {
        return "CREATE TRIGGER " + TrackedTable.quote(triggerName(t, "delete")) + " AFTER DELETE ON " + t.quotedName()
                + " WHEN " + NOT_APPLYING + " BEGIN "
                + capture(t, t.recordIdSql("OLD"), "'DELETE'", "NULL", "NULL") + " END";
    }

    /**
     * An update that changes no column is not captured. One that changes the key is captured as a DELETE of
     * the old record id and an INSERT of the new one, since the record id is the key.
     */
    private static String updateTrigger(TrackedTable t) {
        String anyChanged = t.columns().stream().map(c -> "OLD." + TrackedTable.quote(c) + " IS NOT NEW." + TrackedTable.quote(c))
                .collect(Collectors.joining(" OR "));
        String keyChanged = t.recordIdSql("OLD") + " IS NOT " + t.recordIdSql("NEW");
        // A plain expression, not a subquery: the trigger is compiled into every statement that writes the
        // table, so its size is paid on every prepare.
        String changedList = t.columns().stream()
                .map(c -> "CASE WHEN OLD." + TrackedTable.quote(c) + " IS NOT NEW." + TrackedTable.quote(c) + " THEN "
                        + TrackedTable.literal(JSON.writeValueAsString(c) + ",") + " ELSE '' END")
                .collect(Collectors.joining(" || ", "'[' || rtrim(", ", ',') || ']'"));
        String deleteOld = "INSERT INTO sync_capture (table_name, record_id, operation, row_data, changed_columns, captured_at) "
                + "SELECT " + TrackedTable.literal(t.name()) + ", " + t.recordIdSql("OLD") + ", 'DELETE', NULL, NULL, "
                + NOW_MS + " WHERE " + keyChanged + ";";
        return "CREATE TRIGGER " + TrackedTable.quote(triggerName(t, "update")) + " AFTER UPDATE ON " + t.quotedName()
                + " WHEN " + NOT_APPLYING + " AND (" + anyChanged + ") BEGIN " + deleteOld + " "
                + capture(t, t.recordIdSql("NEW"),
                        "CASE WHEN " + keyChanged + " THEN 'INSERT' ELSE 'UPDATE' END",
                        t.rowJsonSql("NEW"),
                        "CASE WHEN " + keyChanged + " THEN NULL ELSE " + changedList + " END")
                + " END";
    }
}
