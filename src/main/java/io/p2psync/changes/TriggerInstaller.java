package io.p2psync.changes;

import io.p2psync.storage.StartupProblem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Installs the capture triggers: AFTER INSERT, UPDATE and DELETE on {@code sync_kv} and every table in
 * {@code p2psync.tables}, each recording only the table and the key of the row touched in
 * {@code sync_capture} (unless the apply guard is set). The sealer reads the row itself.
 *
 * <p>A trigger names no column but the key, and copies key values as they are into untyped columns, so it
 * cannot fail on any value and survives {@code ALTER TABLE … ADD/DROP/RENAME COLUMN} (SQLite rewrites the
 * trigger on a rename; a key column cannot be dropped). Triggers are compared with {@code sqlite_master} and
 * rewritten when their SQL differs, all in one transaction; the triggers of earlier versions
 * ({@code p2psync_capture_*}) are dropped.
 *
 * <p>A configured table is refused (a {@link StartupProblem}) when its name is reserved, it has no primary
 * key, its key has more columns than capture holds, its key compares under a collation other than BINARY
 * ({@code COLLATE NOCASE}, say), or SQLite assigns its key and it is not opted in with
 * {@code p2psync.capture.assigned-keys}. A configured table that does not exist yet is not an error: capture
 * starts when the app creates it.
 */
class TriggerInstaller {

    static final String KV_TABLE = "sync_kv";
    static final String SETTING = "p2psync.tables";
    private static final Logger log = LoggerFactory.getLogger(TriggerInstaller.class);
    private static final String NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    private static final String NOT_APPLYING = "(SELECT applying FROM sync_apply_guard WHERE id = 1) = 0";
    private static final String PREFIX = "sync_capture_";
    /** The alias the replaced-rows triggers read their table under. */
    private static final String REPLACED = "sync_replaced";
    /** A DEFAULT that is a plain word other than a literal SQLite knows: SQLite stores it as that text. */
    private static final java.util.regex.Pattern BARE_WORD = java.util.regex.Pattern.compile(
            "(?i)(?!(null|true|false)$)[a-z_][a-z0-9_$]*");

    /** What a configured table is, as the schema stands. */
    sealed interface Description {
    }

    /** The table can be tracked. */
    record Trackable(TrackedTable table) implements Description {
    }

    /** No such table (yet). */
    record Missing(String name) implements Description {
    }

    /** The table exists but cannot be tracked. */
    record Refused(StartupProblem problem) implements Description {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Set<String> assignedKeysAllowed;

    TriggerInstaller(JdbcClient jdbc, TransactionTemplate tx, CaptureSettings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.assignedKeysAllowed = settings.assignedKeys().stream().map(n -> n.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    /** The tables to track: {@code sync_kv} first, then the configured ones, without repeats. */
    static List<String> names(List<String> configured) {
        Set<String> names = new LinkedHashSet<>();
        names.add(KV_TABLE);
        names.addAll(configured);
        return new ArrayList<>(names);
    }

    /**
     * Start-up: describes every table, installs the triggers of those that exist, drops triggers of earlier
     * versions and of tables no longer tracked. Logs one line per configured table that does not exist yet.
     *
     * @throws StartupProblem naming the first table that cannot be tracked
     */
    Map<String, TrackedTable> install(List<String> configured) {
        return install(configured, new LinkedHashSet<>());
    }

    /**
     * As {@link #install(List)}, adding to {@code installed} the tables whose triggers were missing or differed:
     * rows of such a table may hold writes no trigger saw (the app re-created it, or wrote while it had none).
     */
    Map<String, TrackedTable> install(List<String> configured, Set<String> installed) {
        Map<String, TrackedTable> tables = new LinkedHashMap<>();
        for (String name : names(configured)) {
            Description d = describe(name);
            if (d instanceof Trackable t) {
                tables.put(name, t.table());
            } else if (d instanceof Refused r) {
                throw r.problem();
            } else {
                log.info("{}: table '{}' does not exist yet; capture starts when the app creates it", SETTING, name);
            }
        }
        tx.executeWithoutResult(status -> {
            dropStaleTriggers(tables.keySet());
            tables.values().forEach(t -> {
                if (installTriggers(t)) {
                    installed.add(t.name());
                }
            });
        });
        return tables;
    }

    /**
     * Installs or rewrites the triggers of {@code tables} where they are missing or differ (a table the app
     * created or re-created while the node ran), in one transaction.
     *
     * @return the names of the tables whose triggers were installed or rewritten
     */
    Set<String> installAll(Collection<TrackedTable> tables) {
        Set<String> installed = new LinkedHashSet<>();
        tx.executeWithoutResult(status -> tables.forEach(t -> {
            if (installTriggers(t)) {
                installed.add(t.name());
            }
        }));
        return installed;
    }

    Description describe(String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.isBlank() || lower.startsWith("sync_") && !name.equals(KV_TABLE) || lower.startsWith("sqlite_")
                || lower.equals("flyway_schema_history")) {
            return new Refused(new StartupProblem(SETTING, String.valueOf(name),
                    "'" + name + "' is a reserved name (blank, sync_*, sqlite_* or Flyway's history), not an app table",
                    "list only your app's own tables in " + SETTING));
        }
        record Column(String name, String type, int pk, String dflt) {
        }
        List<Column> columns = jdbc.sql("SELECT name, type, pk, dflt_value FROM pragma_table_info(?) ORDER BY cid")
                .param(name)
                .query((rs, n) -> new Column(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)))
                .list();
        if (columns.isEmpty()) {
            return new Missing(name);
        }
        TreeMap<Integer, String> key = new TreeMap<>();
        columns.stream().filter(c -> c.pk() > 0).forEach(c -> key.put(c.pk(), c.name()));
        if (key.isEmpty()) {
            return new Refused(new StartupProblem(SETTING, name, "table '" + name + "' has no PRIMARY KEY, so its "
                    + "rows cannot be matched across devices",
                    "give it a primary key (a text key such as a UUIDv7 or ULID), or remove it from " + SETTING));
        }
        if (key.size() > TrackedTable.MAX_KEY_COLUMNS) {
            return new Refused(new StartupProblem(SETTING, name, "table '" + name + "' has a primary key of "
                    + key.size() + " columns; capture holds at most " + TrackedTable.MAX_KEY_COLUMNS,
                    "use a key of at most " + TrackedTable.MAX_KEY_COLUMNS + " columns, or remove it from " + SETTING));
        }
        List<String> collated = jdbc.sql("SELECT x.name || ' COLLATE ' || x.coll FROM pragma_index_list(?) AS il, "
                        + "pragma_index_xinfo(il.name) AS x WHERE il.origin = 'pk' AND x.key = 1 "
                        + "AND upper(x.coll) <> 'BINARY' ORDER BY x.seqno")
                .param(name).query(String.class).list();
        if (!collated.isEmpty()) {
            return new Refused(new StartupProblem(SETTING, name, "the primary key of table '" + name + "' compares "
                    + String.join(", ", collated) + ": SQLite takes keys such as 'Work' and 'work' for one row, while "
                    + "sync tells rows apart by their exact keys, so one device's row could replace or delete another's",
                    "key the table by a value compared exactly (a UUIDv7 or ULID, or the text without COLLATE) and keep "
                    + "the collated column UNIQUE beside it (a clash there is held as a conflict), or remove it from "
                    + SETTING));
        }
        boolean rowidKey = key.size() == 1 && columns.stream()
                .anyMatch(c -> c.pk() == 1 && c.type().equalsIgnoreCase("INTEGER"))
                && !jdbc.sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").param(name)
                        .query(String.class).optional().orElse("").toUpperCase(Locale.ROOT).contains("WITHOUT ROWID");
        if (rowidKey && !assignedKeysAllowed.contains(lower)) {
            return new Refused(new StartupProblem(SETTING, name, "SQLite assigns the key of table '" + name
                    + "' (" + key.firstEntry().getValue() + " INTEGER PRIMARY KEY): two devices that insert without "
                    + "an id get the same id, and one row would replace the other",
                    "use a text key such as a UUIDv7 or ULID, or a composite key with the device, or accept "
                    + "insert/insert collisions as conflicts with p2psync.capture.assigned-keys=" + name));
        }
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (Column c : columns) {
            if (c.dflt() == null) {
                defaults.put(c.name(), null);
            } else {
                defaultOf(c.dflt()).ifPresent(v -> defaults.put(c.name(), v.orElse(null)));
            }
        }
        return new Trackable(new TrackedTable(name, columns.stream().map(Column::name).toList(),
                new ArrayList<>(key.values()), rowidKey, defaults));
    }

    /**
     * The value a constant DEFAULT expression gives, as its storage class (the outer Optional is empty for an
     * expression that varies or cannot be evaluated alone, such as CURRENT_TIMESTAMP).
     */
    private Optional<Optional<Object>> defaultOf(String expression) {
        if (expression.toUpperCase(Locale.ROOT).contains("CURRENT_") || expression.contains("(")) {
            return Optional.empty();
        }
        if (BARE_WORD.matcher(expression).matches()) {
            // DEFAULT active: SQLite takes a bare identifier in a DEFAULT clause as that text
            return Optional.of(Optional.of(expression));
        }
        try {
            List<Object> v = jdbc.sql("SELECT " + expression).query((rs, n) -> SqlValues.read(rs, 1))
                    .list();
            return Optional.of(Optional.ofNullable(v.isEmpty() ? null : v.get(0)));
        } catch (RuntimeException notConstant) {
            return Optional.empty();
        }
    }

    /** Drops the triggers of earlier versions, and ours on tables no longer tracked; then the old queue. */
    private void dropStaleTriggers(Set<String> tracked) {
        Set<String> wanted = tracked.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        record Trigger(String name, String table) {
        }
        List<Trigger> triggers = jdbc.sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
                .query((rs, n) -> new Trigger(rs.getString(1), rs.getString(2))).list();
        for (Trigger t : triggers) {
            boolean old = t.name().startsWith("p2psync_capture_");
            boolean untracked = t.name().startsWith(PREFIX) && !wanted.contains(t.table().toLowerCase(Locale.ROOT));
            if (old || untracked) {
                jdbc.sql("DROP TRIGGER IF EXISTS " + TrackedTable.quote(t.name())).update();
                log.info("dropped capture trigger {}", t.name());
            }
        }
        jdbc.sql("DROP TABLE IF EXISTS sync_capture_v1").update();
    }

    /** Answers true if a trigger was missing or different and is now as wanted. */
    private boolean installTriggers(TrackedTable t) {
        Map<String, String> differing = differing(t);
        differing.forEach((name, sql) -> {
            jdbc.sql("DROP TRIGGER IF EXISTS " + TrackedTable.quote(name)).update();
            jdbc.sql(sql).update();
            log.info("installed capture trigger {}", name);
        });
        return !differing.isEmpty();
    }

    /**
     * Whether {@code t}'s triggers are missing or differ from ours, so {@link #installAll} would install them: the
     * app re-created the table, and rows written since left no capture.
     */
    boolean needsInstall(TrackedTable t) {
        return !differing(t).isEmpty();
    }

    /** Our triggers of {@code t} (name to SQL) that are missing from {@code sqlite_master} or differ there. */
    private Map<String, String> differing(TrackedTable t) {
        Map<String, String> wanted = new java.util.HashMap<>(Map.of(
                triggerName(t, "insert"), insertTrigger(t),
                triggerName(t, "update"), updateTrigger(t),
                triggerName(t, "delete"), deleteTrigger(t)));
        String replaced = replacedRows(t);
        if (replaced != null) {
            wanted.put(triggerName(t, "insert_replaces"), replacesTrigger(t, "INSERT", replaced));
            wanted.put(triggerName(t, "update_replaces"), replacesTrigger(t, "UPDATE", replaced));
        }
        Map<String, String> differing = new TreeMap<>();
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            String existing = jdbc.sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
                    .param(e.getKey()).query(String.class).optional().orElse(null);
            if (!e.getValue().equals(existing)) {
                differing.put(e.getKey(), e.getValue());
            }
        }
        return differing;
    }

    /**
     * The condition naming the rows a write of {@code NEW} may make SQLite delete under a UNIQUE constraint of the
     * table's own definition ({@code email TEXT UNIQUE}, {@code UNIQUE (a, b)}), each compared under the constraint's
     * collation; null if it has none. {@code INSERT OR REPLACE} and {@code UPDATE OR REPLACE} delete such rows
     * without firing delete triggers (unless the writing connection turned {@code recursive_triggers} on), so the
     * capture triggers name them before the write, and the sealer, finding them gone, seals their deletes. A UNIQUE
     * index made apart ({@code CREATE UNIQUE INDEX}) is left out: a trigger naming its columns would stop the app
     * from dropping one of them after dropping the index, and such rows reach the log by the next reconciliation
     * scan, as before (docs/storage.md, "Known limits").
     */
    private String replacedRows(TrackedTable t) {
        List<String> uniques = jdbc.sql("SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin = 'u'"
                + " ORDER BY name").param(t.name()).query(String.class).list();
        List<String> conditions = new ArrayList<>();
        for (String index : uniques) {
            record Part(String column, String collation) {
            }
            List<Part> parts = jdbc.sql("SELECT name, coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno")
                    .param(index).query((rs, n) -> new Part(rs.getString(1), rs.getString(2))).list();
            if (parts.isEmpty() || parts.stream().anyMatch(p -> p.column() == null || p.collation() == null
                    || !p.collation().matches("[A-Za-z0-9_]+"))) {
                continue; // an expression, or a collation this cannot name safely: left to the scan
            }
            conditions.add("(" + parts.stream().map(p -> REPLACED + "." + TrackedTable.quote(p.column())
                    + " = NEW." + TrackedTable.quote(p.column()) + " COLLATE " + p.collation())
                    .collect(Collectors.joining(" AND ")) + ")");
        }
        return conditions.isEmpty() ? null : String.join(" OR ", conditions);
    }

    /**
     * The trigger that names, before an insert or update, the rows {@code replaced} matches. The table is read under
     * an alias of ours ({@link #REPLACED}), so a table named {@code new} is not taken for the NEW row. An update
     * leaves out its own row: it matches its own unique values, and named first it would be sealed before the rows
     * the update replaces (it is named after the write anyway).
     */
    private static String replacesTrigger(TrackedTable t, String event, String replaced) {
        String notItself = event.equals("UPDATE") ? " AND NOT (" + t.primaryKey().stream()
                .map(c -> REPLACED + "." + TrackedTable.quote(c) + " IS OLD." + TrackedTable.quote(c))
                .collect(Collectors.joining(" AND ")) + ")" : "";
        return "CREATE TRIGGER " + TrackedTable.quote(triggerName(t, event.toLowerCase(Locale.ROOT) + "_replaces"))
                + " BEFORE " + event + " ON " + t.quotedName() + " WHEN " + NOT_APPLYING + " BEGIN "
                + into(t) + "SELECT " + values(t, REPLACED) + " FROM " + t.quotedName() + " AS " + REPLACED
                + " WHERE (" + replaced + ")" + notItself + "; END";
    }

    static String triggerName(TrackedTable t, String event) {
        return PREFIX + t.name() + "_" + event;
    }

    /** {@code INSERT INTO sync_capture (table_name, k1, …, captured_at)}: the columns a trigger fills. */
    private static String into(TrackedTable t) {
        return "INSERT INTO sync_capture (table_name, "
                + IntStream.rangeClosed(1, t.primaryKey().size()).mapToObj(i -> "k" + i).collect(Collectors.joining(", "))
                + ", captured_at) ";
    }

    /** {@code 'table', REF."a", REF."b", now}: what a trigger records for the row named by {@code ref}. */
    private static String values(TrackedTable t, String ref) {
        return TrackedTable.literal(t.name()) + ", "
                + t.primaryKey().stream().map(c -> ref + "." + TrackedTable.quote(c)).collect(Collectors.joining(", "))
                + ", " + NOW_MS;
    }

    private static String header(TrackedTable t, String event) {
        return "CREATE TRIGGER " + TrackedTable.quote(triggerName(t, event)) + " AFTER " + event.toUpperCase(Locale.ROOT)
                + " ON " + t.quotedName() + " WHEN " + NOT_APPLYING + " BEGIN ";
    }

    private static String insertTrigger(TrackedTable t) {
        return header(t, "insert") + into(t) + "VALUES (" + values(t, "NEW") + "); END";
    }

    private static String deleteTrigger(TrackedTable t) {
        return header(t, "delete") + into(t) + "VALUES (" + values(t, "OLD") + "); END";
    }

    /**
     * Every update is recorded, also one that changes nothing (the sealer then makes no entry): telling them
     * apart in SQL would name every column. One that changes the key also records the old key, first, so the
     * sealer sees the old row gone.
     */
    private static String updateTrigger(TrackedTable t) {
        // Exactly, not as SQLite's = does: under a NOCASE key 'work' to 'Work' is a new key, and so is 1 to 1.0 in
        // an untyped one; compared by the column's collation or by value, the old record would stay live forever.
        String keyChanged = t.primaryKey().stream()
                .map(TrackedTable::quote)
                .map(c -> "OLD." + c + " IS NOT NEW." + c + " COLLATE BINARY OR typeof(OLD." + c + ") <> typeof(NEW." + c + ")")
                .collect(Collectors.joining(" OR "));
        return header(t, "update")
                + into(t) + "SELECT " + values(t, "OLD") + " WHERE " + keyChanged + "; "
                + into(t) + "VALUES (" + values(t, "NEW") + "); END";
    }
}
