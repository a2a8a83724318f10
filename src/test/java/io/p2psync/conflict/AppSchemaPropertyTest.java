package io.p2psync.conflict;

import io.p2psync.testing.ScratchDirs;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.StandaloneDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * An app's own tables, synced: random schemas (keys of every kind, composite keys, WITHOUT ROWID, declared
 * and undeclared column types), random values of every storage class (int64 extremes, REAL edge values,
 * BLOBs, Unicode with NUL, NULL), random inserts, updates and deletes on three devices, columns added and
 * renamed by the app's migrations at different times on each device (a device not migrated yet keeps writing a
 * renamed column under its old name), and random delivery. Each device is its own real
 * SQLite file with the real capture, log, applier and resolver under the default policy.
 *
 * <p>At the end every device has every migration and every entry, and then:
 * <ul>
 *   <li>every app table is identical on every device, value by value ({@code quote()}, plus the storage
 *       class, so 5, 5.0 and '5' differ);</li>
 *   <li>no row is lost: every key inserted and never deleted is there, and every key deleted and never
 *       touched again by another device is gone;</li>
 *   <li>no value is changed: a column only one device ever wrote holds the last value that device wrote.</li>
 * </ul>
 * Expectations come from this independent model of what was written, not from the devices.
 */
class AppSchemaPropertyTest {

    private static final long START = 1_750_000_000_000L;

    enum KeyKind { UNTYPED, TEXT, COMPOSITE, WITHOUT_ROWID_INTEGER }

    record Column(String name, String type) {
    }

    record Table(String name, KeyKind key, List<Column> columns) {

        String create() {
            String cols = columns.stream().map(c -> "\"" + c.name() + "\"" + (c.type().isEmpty() ? "" : " " + c.type()))
                    .collect(Collectors.joining(", "));
            return switch (key) {
                case UNTYPED -> "CREATE TABLE " + name + " (k PRIMARY KEY, " + cols + ")";
                case TEXT -> "CREATE TABLE " + name + " (k TEXT PRIMARY KEY, " + cols + ")";
                case COMPOSITE -> "CREATE TABLE " + name + " (a INTEGER NOT NULL, b TEXT NOT NULL, " + cols
                        + ", PRIMARY KEY (a, b))";
                case WITHOUT_ROWID_INTEGER -> "CREATE TABLE " + name + " (k INTEGER PRIMARY KEY, " + cols
                        + ") WITHOUT ROWID";
            };
        }

        List<String> keyColumns() {
            return key == KeyKind.COMPOSITE ? List.of("a", "b") : List.of("k");
        }
    }

    /**
     * One of the app's migrations: it adds {@code column} to {@code table}, or, when {@code renames} is set, renames the
     * column now called {@code renames} to {@code column}'s name ({@code RENAME COLUMN}, declaration kept).
     */
    record Migration(int table, Column column, String renames) {

        Migration(int table, Column column) {
            this(table, column, null);
        }
    }

    sealed interface Step permits Insert, Update, Delete, Deliver, Migrate {
    }

    record Insert(int device, int table, long seed) implements Step {
    }

    record Update(int device, int table, int row, int columns, long seed) implements Step {
    }

    record Delete(int device, int table, int row) implements Step {
    }

    record Deliver(int from, int to) implements Step {
    }

    /** The device runs the next of the app's migrations it has not run yet. */
    record Migrate(int device) implements Step {
    }

    record Scenario(List<Table> tables, List<Migration> migrations, List<Step> steps) {
    }

    private static final int DEVICES = 3;
    private static final Path TEMPLATES = ScratchDirs.create("app-schema-templates");

    private Path dir;
    private final List<StandaloneDevice> devices = new ArrayList<>();

    @BeforeTry
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("app-schema");
    }

    @AfterTry
    void closeDevices() {
        devices.forEach(StandaloneDevice::close);
        devices.clear();
        ScratchDirs.delete(dir);
    }

    @Property(tries = 60)
    void everyAppTableEndsIdenticalWithNoRowLostAndNoValueChanged(@ForAll("scenarios") Scenario s) {
        new Run(s).play();
    }

    /**
     * The scenario that once made the property above fail, for a fault in its model, not in sync: d0 deletes a
     * row, sees it come back (d2's concurrent update is later), and updates it again after d1 and d2 have deleted
     * it, without having seen those deletes. The update is concurrent with both deletes and later, so under
     * {@code merge} the row stays on every device; the model had counted d0 as a deleter only and expected the
     * row gone.
     */
    @Example
    void aDeleterThatWritesTheRowAgainConcurrentlyWithOtherDeletesKeepsIt() {
        Table t0 = new Table("t0", KeyKind.TEXT,
                List.of(new Column("c91", "TEXT"), new Column("c23", "BLOB"), new Column("c660", "VARCHAR(20)")));
        List<Step> steps = List.of(new Insert(0, 0, 0), new Insert(0, 0, 0), new Deliver(0, 1),
                new Update(0, 0, 0, 1, 0), new Update(0, 0, 0, 1, 0), new Delete(0, 0, 0),
                new Update(0, 0, 24, 8, 847), new Update(0, 0, 2, 2, -2), new Deliver(1, 2), new Deliver(0, 1),
                new Update(1, 0, 33, 8, -100458), new Update(2, 0, 0, 15, -2), new Deliver(2, 0),
                new Update(0, 0, 0, 15, -2), new Deliver(0, 1), new Update(2, 0, 7, 14, 99435),
                new Update(0, 0, 0, 1, 43602), new Delete(0, 0, 27), new Update(1, 0, 8, 15, -7852),
                new Delete(2, 0, 50), new Insert(2, 0, 40400), new Delete(1, 0, 22), new Update(0, 0, 2, 1, -2));
        Run run = new Run(new Scenario(List.of(t0), List.of(), steps));
        run.play();

        assertThat(rows(devices.get(1), t0)).as("d0-1: deleted by all three, last updated by d0 concurrently")
                .containsKey(SqlValues.encodeKey(List.of("d0-1")));
    }

    /**
     * The scenario that made the property fail once renames were among the migrations: d2 renamed c25 first and
     * inserted row 2004 with a value there; d0, not migrated, held that value (it had no column renamed0) and then
     * updated only c10 of the row, its data carrying c25 as NULL. d2 applied that update on top of its insert and
     * wrote the whole row, c25 read as renamed0: NULL replaced the value on d2, and d1 took the same. A column the
     * entry did not write under its former name is now left out.
     */
    @Example
    void anUpdateFromADeviceNotMigratedYetLeavesTheRenamedColumnItDidNotWriteAlone() {
        Table t0 = new Table("t0", KeyKind.WITHOUT_ROWID_INTEGER, List.of(new Column("c25", "VARCHAR(20)"),
                new Column("c10", "VARCHAR(20)"), new Column("c27", "REAL")));
        Table t1 = new Table("t1", KeyKind.COMPOSITE, List.of(new Column("c0", ""), new Column("c341", "VARCHAR(20)")));
        List<Migration> migrations = List.of(new Migration(0, new Column("renamed0", "VARCHAR(20)"), "c25"));
        List<Step> steps = List.of(new Migrate(2), new Insert(0, 1, 0), new Update(0, 1, 2, 1, -2),
                new Insert(2, 0, Long.MIN_VALUE), new Delete(1, 0, 1), new Update(1, 0, 35, 7, -3373),
                new Insert(1, 0, 0), new Update(1, 1, 0, 2, -2), new Insert(0, 0, 1), new Delete(0, 0, 33),
                new Insert(2, 0, -2), new Insert(2, 1, 0), new Insert(1, 1, -3461), new Insert(2, 0, -1),
                new Update(0, 1, 19, 14, -1), new Insert(1, 0, -2032), new Deliver(2, 0),
                new Insert(2, 1, Long.MAX_VALUE - 1), new Update(2, 1, 49, 2, -2), new Insert(1, 1, 1),
                new Update(2, 0, 1, 1, -2), new Update(0, 0, 2, 2, -2));
        new Run(new Scenario(List.of(t0, t1), migrations, steps)).play();

        assertThat(rows(devices.get(1), t0).get(SqlValues.encodeKey(List.of(2004L))).get("renamed0"))
                .as("row 2004 keeps what d2 inserted in renamed0").isNotNull();
    }

    // ---- generating scenarios

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Column> column = Combinators.combine(Arbitraries.integers().between(0, 999),
                        Arbitraries.of("", "TEXT", "INTEGER", "REAL", "BLOB", "NUMERIC", "VARCHAR(20)"))
                .as((n, type) -> new Column("c" + n, type));
        Arbitrary<List<Table>> tables = Combinators.combine(Arbitraries.of(KeyKind.class).list().ofMinSize(1).ofMaxSize(2),
                        column.list().ofMinSize(1).ofMaxSize(3).uniqueElements(Column::name).list().ofSize(2))
                .as((keys, columnLists) -> {
                    List<Table> out = new ArrayList<>();
                    for (int i = 0; i < keys.size(); i++) {
                        out.add(new Table("t" + i, keys.get(i), columnLists.get(i)));
                    }
                    return out;
                });
        return tables.flatMap(ts -> Combinators.combine(
                        Combinators.combine(Arbitraries.integers().between(0, ts.size() - 1),
                                Arbitraries.of("", "TEXT", "INTEGER", "BLOB"), Arbitraries.of(false, true))
                                .as(Tuple::of).list().ofMaxSize(3),
                        step(ts.size()).list().ofMinSize(10).ofMaxSize(45))
                .as((planned, steps) -> {
                    List<Migration> migrations = new ArrayList<>();
                    for (int i = 0; i < planned.size(); i++) {
                        int table = planned.get(i).get1();
                        List<Column> now = columnsAfter(ts.get(table), migrations, table);
                        // A rename of the table's first column: it stands between the key and another column, where
                        // SQLite's rename and an add differ by place, so capture knows it for a rename. (A rename of
                        // the last column reads as a drop and an add unless the rows say otherwise: docs/storage.md.)
                        if (planned.get(i).get3() && now.size() > 1) {
                            migrations.add(new Migration(table, new Column("renamed" + i, now.get(0).type()),
                                    now.get(0).name()));
                        } else {
                            migrations.add(new Migration(table, new Column("added" + i, planned.get(i).get2())));
                        }
                    }
                    return new Scenario(ts, migrations, steps);
                }));
    }

    /** The table's columns after {@code migrations}, by the names they have then. */
    private static List<Column> columnsAfter(Table t, List<Migration> migrations, int table) {
        List<Column> out = new ArrayList<>(t.columns());
        for (Migration m : migrations) {
            if (m.table() != table) {
                continue;
            }
            if (m.renames() == null) {
                out.add(m.column());
            } else {
                out.replaceAll(c -> c.name().equals(m.renames()) ? m.column() : c);
            }
        }
        return out;
    }

    private static Arbitrary<Step> step(int tables) {
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES - 1);
        Arbitrary<Integer> table = Arbitraries.integers().between(0, tables - 1);
        return Arbitraries.frequencyOf(
                Tuple.of(5, Combinators.combine(device, table, Arbitraries.longs()).as(Insert::new)),
                Tuple.of(5, Combinators.combine(device, table, Arbitraries.integers().between(0, 50),
                        Arbitraries.integers().between(1, 15), Arbitraries.longs()).as(Update::new)),
                Tuple.of(2, Combinators.combine(device, table, Arbitraries.integers().between(0, 50)).as(Delete::new)),
                Tuple.of(4, Combinators.combine(device, device).as(Deliver::new)),
                Tuple.of(1, device.map(Migrate::new)));
    }

    /** A random SQLite value of a random storage class, edge values included. */
    static Object value(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> null;
            case 1 -> List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L).get(r.nextInt(4));
            case 2 -> r.nextLong();
            case 3 -> List.of(0.1 + 0.2, 1e300, -1e-300, Double.NEGATIVE_INFINITY, 2.5, Math.PI).get(r.nextInt(6));
            case 4 -> Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
            case 5 -> "t" + r.nextInt(100) + "\u0000nul \uD83D\uDE00 \u00e9";
            case 6 -> "plain " + r.nextInt(1000);
            default -> {
                byte[] b = new byte[r.nextInt(6)];
                r.nextBytes(b);
                yield b;
            }
        };
    }

    // ---- playing a scenario

    /** One scenario's devices and the model of what the app wrote. */
    private final class Run {
        private final Scenario s;
        /** Per device, how many of the app's migrations it has run. */
        private final int[] migrated = new int[DEVICES];
        /** Every key ever inserted, per table (record ids: key values encoded). */
        private final List<Set<String>> inserted = new ArrayList<>();
        /** Per table and key, every insert, update and delete of it, each with what its device had seen. */
        private final List<Map<String, List<Write>>> history = new ArrayList<>();
        /** Per device, how many of each device's writes it has seen (its own included): a vector clock. */
        private final int[][] seen = new int[DEVICES][DEVICES];
        /** Per table, key and column: the devices that wrote the column, and the last value each wrote. */
        private final List<Map<String, Map<String, Map<Integer, Object>>>> writes = new ArrayList<>();
        private final int[] counter = new int[DEVICES];

        Run(Scenario s) {
            this.s = s;
            for (int i = 0; i < s.tables().size(); i++) {
                inserted.add(new HashSet<>());
                history.add(new HashMap<>());
                writes.add(new HashMap<>());
            }
        }

        void play() {
            List<String> schema = s.tables().stream().map(Table::create).toList();
            List<String> names = s.tables().stream().map(Table::name).toList();
            AtomicLong world = new AtomicLong(START);
            for (int i = 0; i < DEVICES; i++) {
                Path file = StandaloneDevice.copyOf(TEMPLATES, schema, dir.resolve("d" + i + ".db"));
                StandaloneDevice d = new StandaloneDevice(file, names, world::get, List.of());
                ConflictRepository conflicts = new ConflictRepository(d.jdbc());
                d.addBean("conflictResolver", new ConflictResolver(ConflictSettings.defaults(), conflicts, d.tracker(),
                        d.applier(), d.tables(), d.tx()));
                devices.add(d);
            }
            for (Step step : s.steps()) {
                world.addAndGet(1 + (step.hashCode() & 3));
                if (step instanceof Insert i) {
                    insert(i);
                } else if (step instanceof Update u) {
                    update(u);
                } else if (step instanceof Delete del) {
                    delete(del);
                } else if (step instanceof Deliver d && d.from() != d.to()) {
                    pull(devices.get(d.to()), devices.get(d.from()));
                    for (int o = 0; o < DEVICES; o++) {
                        seen[d.to()][o] = Math.max(seen[d.to()][o], seen[d.from()][o]);
                    }
                } else if (step instanceof Migrate m) {
                    migrate(m.device());
                }
            }
            for (int i = 0; i < DEVICES; i++) {
                while (migrated[i] < s.migrations().size()) {
                    migrate(i);
                }
            }
            exchangeAll();
            check();
        }

        private void insert(Insert step) {
            Table t = s.tables().get(step.table());
            StandaloneDevice d = devices.get(step.device());
            Random r = new Random(step.seed());
            int n = ++counter[step.device()];
            List<Object> key = key(t, step.device(), n);
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < t.keyColumns().size(); c++) {
                row.put(t.keyColumns().get(c), key.get(c));
            }
            for (Column c : columnsOn(step.device(), step.table())) {
                row.put(c.name(), value(r));
            }
            d.write("INSERT INTO " + t.name() + " (" + row.keySet().stream().map(c -> "\"" + c + "\"")
                    .collect(Collectors.joining(", ")) + ") VALUES (" + row.keySet().stream().map(c -> "?")
                    .collect(Collectors.joining(", ")) + ")", row.values().toArray());
            String id = SqlValues.encodeKey(key);
            inserted.get(step.table()).add(id);
            record(step.table(), id, step.device(), false);
            Map<String, Object> stored = read(d, t, key);
            Map<String, Map<Integer, Object>> columns = writes.get(step.table()).computeIfAbsent(id, k -> new HashMap<>());
            stored.forEach((c, v) -> columns.computeIfAbsent(finalName(step.device(), step.table(), c),
                    k -> new HashMap<>()).put(step.device(), v));
        }

        private void update(Update step) {
            Table t = s.tables().get(step.table());
            StandaloneDevice d = devices.get(step.device());
            List<Object> key = pickRow(d, t, step.row());
            if (key == null) {
                return;
            }
            List<Column> columns = columnsOn(step.device(), step.table());
            Random r = new Random(step.seed());
            Map<String, Object> sets = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                if ((step.columns() & (1 << c)) != 0) {
                    sets.put(columns.get(c).name(), value(r));
                }
            }
            if (sets.isEmpty()) {
                sets.put(columns.get(0).name(), value(r));
            }
            List<Object> params = new ArrayList<>(sets.values());
            params.addAll(key);
            d.write("UPDATE " + t.name() + " SET " + sets.keySet().stream().map(c -> "\"" + c + "\" = ?")
                    .collect(Collectors.joining(", ")) + " WHERE " + keyMatch(t), params.toArray());
            String id = SqlValues.encodeKey(key);
            record(step.table(), id, step.device(), false);
            Map<String, Object> stored = read(d, t, key);
            Map<String, Map<Integer, Object>> written = writes.get(step.table()).computeIfAbsent(id, k -> new HashMap<>());
            sets.keySet().forEach(c -> written.computeIfAbsent(finalName(step.device(), step.table(), c),
                    k -> new HashMap<>()).put(step.device(), stored.get(c)));
        }

        private void delete(Delete step) {
            Table t = s.tables().get(step.table());
            StandaloneDevice d = devices.get(step.device());
            List<Object> key = pickRow(d, t, step.row());
            if (key == null) {
                return;
            }
            d.write("DELETE FROM " + t.name() + " WHERE " + keyMatch(t), key.toArray());
            record(step.table(), SqlValues.encodeKey(key), step.device(), true);
        }

        /** A write of the app on a device: it counts as one more event of that device, after all it has seen. */
        private void record(int table, String id, int device, boolean delete) {
            seen[device][device]++;
            history.get(table).computeIfAbsent(id, k -> new ArrayList<>()).add(new Write(delete, seen[device].clone()));
        }

        private void migrate(int device) {
            if (migrated[device] >= s.migrations().size()) {
                return;
            }
            Migration m = s.migrations().get(migrated[device]++);
            Column c = m.column();
            String table = s.tables().get(m.table()).name();
            devices.get(device).jdbc().sql(m.renames() != null
                    ? "ALTER TABLE " + table + " RENAME COLUMN \"" + m.renames() + "\" TO \"" + c.name() + "\""
                    : "ALTER TABLE " + table + " ADD COLUMN \"" + c.name() + "\"" + (c.type().isEmpty() ? "" : " " + c.type()))
                    .update();
            devices.get(device).followSchema();
        }

        private List<Column> columnsOn(int device, int table) {
            return columnsAfter(s.tables().get(table), s.migrations().subList(0, migrated[device]), table);
        }

        /** The name a column the device calls {@code name} has once every migration has run: the model's key for it. */
        private String finalName(int device, int table, String name) {
            for (Migration m : s.migrations().subList(migrated[device], s.migrations().size())) {
                if (m.table() == table && name.equals(m.renames())) {
                    name = m.column().name();
                }
            }
            return name;
        }

        private void exchangeAll() {
            for (int round = 0; round < 10; round++) {
                long got = 0;
                for (StandaloneDevice to : devices) {
                    for (StandaloneDevice from : devices) {
                        if (from != to) {
                            got += pull(to, from);
                        }
                    }
                }
                if (got == 0) {
                    return;
                }
            }
            throw new AssertionError("exchange did not settle in 10 rounds");
        }

        private long pull(StandaloneDevice to, StandaloneDevice from) {
            List<ChangeEntry> missing = from.tracker().missingFrom(to.tracker().versionVector(), 10_000);
            if (missing.isEmpty()) {
                return 0;
            }
            to.applier().apply(missing, from.id());
            return missing.size();
        }

        private void check() {
            StandaloneDevice first = devices.get(0);
            for (int i = 0; i < s.tables().size(); i++) {
                Table t = s.tables().get(i);
                List<String> expected = dump(first, t);
                for (StandaloneDevice d : devices) {
                    assertThat(dump(d, t)).as("%s on %s, the same as on %s", t.name(), d.id(), first.id())
                            .isEqualTo(expected);
                }
                Map<String, Map<String, Object>> rows = rows(first, t);
                for (String id : inserted.get(i)) {
                    List<Write> past = history.get(i).get(id);
                    if (past.stream().noneMatch(Write::delete)) {
                        assertThat(rows).as("row %s of %s, never deleted", id, t.name()).containsKey(id);
                    } else if (past.stream().anyMatch(d -> d.delete() && past.stream().allMatch(d::covers))) {
                        assertThat(rows).as("row %s of %s, deleted by a device that had seen every write of it",
                                id, t.name()).doesNotContainKey(id);
                    }
                    Map<String, Object> row = rows.get(id);
                    if (row == null) {
                        continue;
                    }
                    writes.get(i).getOrDefault(id, Map.of()).forEach((column, byDevice) -> {
                        if (byDevice.size() == 1) {
                            Object want = byDevice.values().iterator().next();
                            assertThat(SqlValues.same(row.get(column), want))
                                    .as("%s.%s of row %s: written only by one device as %s, now %s", t.name(), column,
                                            id, show(want), show(row.get(column)))
                                    .isTrue();
                        }
                    });
                }
            }
        }
    }

    /**
     * One write of a row in the model, with the vector clock of its device just after it. A write covers
     * another when its device had seen that one (or is that one); a delete that covers every write of a row
     * leaves nothing concurrent for any policy to keep, so the row must be gone. A delete concurrent with an
     * update is the policy's to settle (the later clock wins under {@code merge}), so the model does not
     * predict it.
     */
    record Write(boolean delete, int[] clock) {

        boolean covers(Write other) {
            for (int d = 0; d < clock.length; d++) {
                if (other.clock[d] > clock[d]) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- reading devices

    private static List<Object> key(Table t, int device, int n) {
        return switch (t.key()) {
            case UNTYPED -> switch (n % 4) {
                case 0 -> List.of((long) device * 1000 + n);
                case 1 -> List.of(device + ":" + n);
                case 2 -> List.of(device * 1000 + n + 0.5);
                default -> List.of(new byte[] {(byte) device, (byte) n});
            };
            case TEXT -> List.of("d" + device + "-" + n + (n % 3 == 0 ? "\u0000x" : ""));
            case COMPOSITE -> List.of((long) device, "n" + n);
            case WITHOUT_ROWID_INTEGER -> List.of((long) device * 1000 + n);
        };
    }

    /** The key of the {@code n}th row the device holds (modulo how many), or null if it holds none. */
    private static List<Object> pickRow(StandaloneDevice d, Table t, int n) {
        List<List<Object>> keys = keysOn(d, t);
        return keys.isEmpty() ? null : keys.get(n % keys.size());
    }

    private static String keyMatch(Table t) {
        return t.keyColumns().stream().map(c -> c + " = ?").collect(Collectors.joining(" AND "));
    }

    private static List<List<Object>> keysOn(StandaloneDevice d, Table t) {
        String cols = String.join(", ", t.keyColumns());
        return d.jdbc().sql("SELECT " + cols + " FROM " + t.name() + " ORDER BY " + cols).query((rs, n) -> {
            List<Object> key = new ArrayList<>();
            for (int i = 1; i <= t.keyColumns().size(); i++) {
                key.add(SqlValues.normalize(rs.getObject(i)));
            }
            return key;
        }).list();
    }

    private static Map<String, Object> read(StandaloneDevice d, Table t, List<Object> key) {
        return rows(d, t).get(SqlValues.encodeKey(key));
    }

    /** Every row by record id, each a map of column to value (storage class kept). */
    private static Map<String, Map<String, Object>> rows(StandaloneDevice d, Table t) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        d.jdbc().sql("SELECT * FROM " + t.name()).query(rs -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnName(i), SqlValues.normalize(rs.getObject(i)));
            }
            List<Object> key = t.keyColumns().stream().map(row::get).toList();
            out.put(SqlValues.encodeKey(key), row);
        });
        return out;
    }

    /** The table value by value: storage class and quote() (hex for TEXT, which quote() cuts at NUL), sorted. */
    private static List<String> dump(StandaloneDevice d, Table t) {
        List<String> columns = d.jdbc().sql("SELECT name FROM pragma_table_info(?) ORDER BY cid").param(t.name())
                .query(String.class).list();
        String select = columns.stream().map(c -> "\"" + c + "\"")
                .map(c -> "typeof(" + c + ") || ':' || CASE typeof(" + c + ") WHEN 'text' THEN hex(" + c
                        + ") ELSE quote(" + c + ") END")
                .collect(Collectors.joining(" || '|' || "));
        return d.jdbc().sql("SELECT " + select + " FROM " + t.name()).query(String.class).list().stream().sorted().toList();
    }

    private static String show(Object v) {
        return v instanceof byte[] b ? "X'" + java.util.HexFormat.of().formatHex(b) + "'" : String.valueOf(v);
    }

}
