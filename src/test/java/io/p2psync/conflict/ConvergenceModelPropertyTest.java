package io.p2psync.conflict;

import io.p2psync.testing.ScratchDirs;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.HeldEntry;
import io.p2psync.changes.HoldReason;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.StandaloneDevice;
import io.p2psync.changes.VersionVector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Convergence against an independent model of the expected rows. Three devices, each its own real SQLite file
 * with the real capture, log, applier and resolver under the default policy ({@code merge}), whose wall
 * clocks are days apart, run random app writes and exchange entries in random partial deliveries (per origin
 * a prefix, origins interleaved), then everything:
 * <ul>
 *   <li>{@code items}: inserts, updates of random column subsets, deletes and key changes (an app UPDATE of
 *       the primary key) on keys every device uses, so edits meet concurrently;</li>
 *   <li>{@code members}: a UNIQUE {@code email} beside the key; devices insert different keys with the same
 *       email, rename and delete their own rows;</li>
 *   <li>{@code extras}: in some scenarios one device has no such table until late (it is tracked there but
 *       does not exist); what it receives meanwhile is held and applied when the app creates the table. In
 *       others that device has the table but does not track it: it holds every entry of it for good, and
 *       nothing else waits;</li>
 *   <li>some writes are one app transaction of several statements.</li>
 * </ul>
 *
 * <p>The model never asks the devices what the outcome is. It records what each app write did (the rows
 * before and after, so a key change is a delete of the old key and an insert of the new one, and a
 * transaction the net change of each row it touched), which entries each device has stored (from the
 * deliveries), and so what each write saw of its row. From that history alone it computes each row by the
 * rules of docs/conflicts.md: a write covered by another (its base saw it) drops out whatever the clocks say;
 * among the rest, the later hybrid clock, then the greater device id; per column under merge; whether the row
 * exists decided the same way among all writes, deletes included. The only thing read from the devices is the
 * hybrid timestamp each write was given, which the model needs for ties among concurrent writes.
 *
 * <p>Checked along the way: each app write gives exactly the entries the model predicts (table, key,
 * operation, changed columns) with the base the model predicts (everything of the row the device had seen),
 * a device's vector is what was delivered to it, and every write's clock is later than the clock of every
 * write it saw (no cap, whatever the skew). At the end, before any person acts:
 * <ul>
 *   <li>{@code items} and {@code extras} are exactly the model on every device, nothing of them is held;</li>
 *   <li>for each email that the model leaves on one live row, that row is on every device as the model says;
 *       for an email two or more live rows share (a clash), each device has exactly one of them, as the
 *       model says, and a pending {@code unique} conflict for each of the others, and no other pending
 *       conflict (documented: "the incoming entry is held, later entries of its origin go on").</li>
 * </ul>
 * A second property runs the same with {@code items} under {@code timestamp} (whole rows).
 *
 * <p>Then the pending clashes are resolved by hand ({@code local} or {@code remote}), those resolutions are added
 * to the model as the deletes they are, and after a full exchange every table on every device is the model
 * and nothing is pending.
 */
class ConvergenceModelPropertyTest {

    private static final long START = 1_750_000_000_000L;
    private static final long DAY = 86_400_000L;
    private static final int DEVICES = 3;
    /** The device that, in scenarios with a late table, has no {@code extras} until late. */
    private static final int LATE = 2;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final String ITEMS = "items";
    static final String MEMBERS = "members";
    static final String EXTRAS = "extras";
    private static final List<String> TRACKED = List.of(ITEMS, MEMBERS, EXTRAS);
    private static final String CREATE_ITEMS = """
            CREATE TABLE IF NOT EXISTS items (
                id    INT     PRIMARY KEY,
                title TEXT    NOT NULL,
                qty   INTEGER NOT NULL DEFAULT 0,
                note  TEXT)""";
    private static final String CREATE_MEMBERS = """
            CREATE TABLE IF NOT EXISTS members (
                id    TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                name  TEXT)""";
    private static final String CREATE_EXTRAS = "CREATE TABLE IF NOT EXISTS extras (id INT PRIMARY KEY, label TEXT)";

    enum OpKind { ITEM_UPSERT, ITEM_DELETE, ITEM_REKEY, EXTRA_UPSERT, EXTRA_DELETE, MEMBER_INSERT, MEMBER_RENAME,
        MEMBER_DELETE }

    /** One app statement; {@code a} and {@code b} pick keys (or an email), {@code columns} the columns to set. */
    record Op(OpKind kind, int a, int b, int columns) {
    }

    sealed interface Step permits Write, Deliver {
    }

    /** The app on {@code device} runs {@code ops}: one statement, or several in one transaction. */
    record Write(int device, List<Op> ops) implements Step {
    }

    /** {@code to} receives part of what {@code from} has that it lacks: per origin a prefix, interleaved. */
    record Deliver(int from, int to, long seed, int keepPercent, int batches) implements Step {
    }

    /**
     * @param skews       each device's wall clock minus the world's, ms
     * @param lateTableAt -1: every device tracks {@code extras} from the start; -2: device {@value #LATE} has the
     *                    table but does not track it (and its app leaves it alone); else device {@value #LATE}
     *                    creates it before this step (after a full exchange if there are fewer steps)
     */
    record Scenario(List<Long> skews, int lateTableAt, List<Step> steps) {

        boolean lateTable() {
            return lateTableAt >= 0;
        }

        boolean untrackedTable() {
            return lateTableAt == -2;
        }
    }

    private static final Path TEMPLATES = ScratchDirs.create("convergence-model-templates");

    private Path dir;
    private final List<StandaloneDevice> devices = new ArrayList<>();
    private final List<ConflictResolver> resolvers = new ArrayList<>();

    @BeforeTry
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("convergence-model");
    }

    @AfterTry
    void closeDevices() {
        devices.forEach(StandaloneDevice::close);
        devices.clear();
        resolvers.clear();
        ScratchDirs.delete(dir);
    }

    @Property(tries = 200)
    void everyDeviceEndsWithTheModelsRowsAndTheModelsPendingClashes(@ForAll("scenarios") Scenario s) {
        Run run = new Run(s, ConflictPolicy.MERGE);
        run.play();
        // what the scenarios exercised (printed by jqwik after the run)
        Statistics.label("concurrent edits settled").collect(run.editConflicts > 0);
        Statistics.label("UNIQUE clashes pending before resolving").collect(run.clashesPending > 0);
        Statistics.label("entries held for the late table").collect(run.heldForLateTable > 0);
        Statistics.label("a device not tracking extras").collect(s.untrackedTable());
        Statistics.label("primary key changed").collect(run.keyChanges > 0);
        Statistics.label("transactions of several rows").collect(run.multiRowTransactions > 0);
        long spread = s.skews().stream().mapToLong(x -> x).max().orElse(0)
                - s.skews().stream().mapToLong(x -> x).min().orElse(0);
        Statistics.label("clocks more than a day apart").collect(spread > DAY);
    }

    /**
     * The same with {@code items} under {@code timestamp}: each row is the whole row of the latest write nobody
     * saw past (the other tables stay on the default).
     */
    @Property(tries = 50)
    void underTimestampEveryDeviceEndsWithTheModelsWholeRows(@ForAll("scenarios") Scenario s) {
        new Run(s, ConflictPolicy.TIMESTAMP).play();
    }

    /**
     * d0 and d2 insert different members with the same email; d0 then deletes its row before anyone syncs.
     * After the exchange only d2's row is live: nothing clashes, so no conflict may wait for a person.
     */
    @Example
    void aClashGoneBecauseItsRowWasDeletedLeavesNoPendingConflict() {
        Op insertFirstEmail = new Op(OpKind.MEMBER_INSERT, 3, 1, 1);
        new Run(new Scenario(List.of(0L, 0L, 0L), -1, List.of(
                new Write(0, List.of(insertFirstEmail)),
                new Write(2, List.of(insertFirstEmail)),
                new Write(0, List.of(new Op(OpKind.MEMBER_DELETE, 1, 1, 1))))), ConflictPolicy.MERGE).play();
    }

    /** As above with a rename: d2 must end with one pending conflict for d0's row, not two. */
    @Example
    void aClashingRowRenamedByItsDeviceLeavesOnePendingConflict() {
        Op insertFirstEmail = new Op(OpKind.MEMBER_INSERT, 3, 1, 1);
        new Run(new Scenario(List.of(0L, 0L, 0L), -1, List.of(
                new Write(0, List.of(insertFirstEmail)),
                new Write(2, List.of(insertFirstEmail)),
                new Write(0, List.of(new Op(OpKind.MEMBER_RENAME, 1, 1, 1))))), ConflictPolicy.MERGE).play();
    }

    /**
     * d1 and d2 insert item 1 with different values; d0 takes d2's row and changes only its title; d1 then gets
     * d0's change before d2's insert (one delivery, origins interleaved). d0's change counted d2's insert as
     * seen, so when the insert came d1 ignored it and kept its own qty and note for good; the other devices
     * had d2's. Every device must end with d0's title and, by the later clock, d2's qty and note.
     */
    @Example
    void anEditThatArrivesBeforeTheInsertItWasMadeOnLeavesThatInsertsOtherColumns() {
        Op upsert = new Op(OpKind.ITEM_UPSERT, 1, 1, 1);
        Op delete = new Op(OpKind.ITEM_DELETE, 1, 1, 1);
        long skew = -3 * DAY;
        new Run(new Scenario(List.of(skew, skew, skew), -1, List.of(
                new Write(1, List.of(upsert)),
                new Write(0, List.of(delete)),
                new Write(0, List.of(delete)),
                new Write(2, List.of(upsert)),
                new Write(0, List.of(delete)),
                new Write(0, List.of(delete)),
                new Deliver(2, 0, 0, 30, 1),
                new Write(0, List.of(upsert)),
                new Deliver(0, 1, 0, 30, 1))), ConflictPolicy.MERGE).play();
    }

    // ---- generating scenarios

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Long> skew = Arbitraries.of(-3 * DAY, -DAY, 0L, 2 * DAY, 5 * DAY)
                .flatMap(d -> Arbitraries.longs().between(0, 999).map(ms -> d + ms));
        Arbitrary<Integer> lateTableAt = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(-1)),
                Tuple.of(1, Arbitraries.just(-2)), Tuple.of(2, Arbitraries.integers().between(4, 40)));
        return Combinators.combine(skew.list().ofSize(DEVICES), lateTableAt, step().list().ofMinSize(8).ofMaxSize(28))
                .as(Scenario::new);
    }

    private static Arbitrary<Step> step() {
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES - 1);
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.frequency(Tuple.of(6, OpKind.ITEM_UPSERT), Tuple.of(2, OpKind.ITEM_DELETE),
                        Tuple.of(4, OpKind.ITEM_REKEY), Tuple.of(3, OpKind.EXTRA_UPSERT), Tuple.of(1, OpKind.EXTRA_DELETE),
                        Tuple.of(6, OpKind.MEMBER_INSERT), Tuple.of(2, OpKind.MEMBER_RENAME),
                        Tuple.of(1, OpKind.MEMBER_DELETE)),
                Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(1, 7)).as(Op::new);
        Arbitrary<List<Op>> ops = Arbitraries.frequencyOf(Tuple.of(3, op.list().ofSize(1)),
                Tuple.of(1, op.list().ofMinSize(2).ofMaxSize(4)));
        Arbitrary<Step> write = Combinators.combine(device, ops).as(Write::new);
        Arbitrary<Step> deliver = Combinators.combine(device, device, Arbitraries.longs(), Arbitraries.of(30, 60, 100),
                Arbitraries.integers().between(1, 3)).as(Deliver::new);
        return Arbitraries.frequencyOf(Tuple.of(6, write), Tuple.of(4, deliver));
    }

    // ---- the model

    /**
     * One write as the model knows it: a row change made by the app (or a resolution by hand), what the device
     * had seen of the row (the ids of those writes, closed under "saw"), and the clock it was given.
     */
    record ModelWrite(int id, String origin, long version, String table, String recordId, Operation op,
            Set<String> written, Map<String, Object> row, Set<Integer> saw, long hlc, boolean resolution) {

        String rowKey() {
            return table + ' ' + recordId;
        }
    }

    /** The later write among concurrent ones: greater hybrid clock, then greater device id. */
    private static final Comparator<ModelWrite> LATER =
            Comparator.comparingLong(ModelWrite::hlc).thenComparing(ModelWrite::origin);

    /** A row change the model expects from an app write, before it knows the entry's version and clock. */
    private record Expected(String table, String recordId, Operation op, Set<String> written, Map<String, Object> row) {
    }

    /** One scenario's devices and the model of its history. */
    private final class Run {
        private final Scenario s;
        private final ConflictPolicy itemsPolicy;
        private final ConflictSettings settings;
        private final List<ModelWrite> writes = new ArrayList<>();
        private final Map<String, ModelWrite> byRef = new HashMap<>();
        /** The writes whose entry ends its group (docs/storage.md, "Groups"): a receiver places a group whole. */
        private final Set<Integer> groupEnds = new HashSet<>();
        /** Per device, the writes whose entries it has stored. */
        private final List<Set<Integer>> stored = new ArrayList<>();
        private final long[] ownVersion = new long[DEVICES];
        private final boolean[] hasExtras = new boolean[DEVICES];
        private final int[] memberCounter = new int[DEVICES];
        private final AtomicLong world = new AtomicLong(START);
        private int unique;
        int editConflicts;
        int clashesPending;
        int heldForLateTable;
        int keyChanges;
        int multiRowTransactions;

        Run(Scenario s, ConflictPolicy itemsPolicy) {
            this.s = s;
            this.itemsPolicy = itemsPolicy;
            this.settings = new ConflictSettings(ConflictPolicy.MERGE, Map.of(ITEMS, itemsPolicy));
        }

        void play() {
            List<String> full = List.of(CREATE_ITEMS, CREATE_MEMBERS, CREATE_EXTRAS);
            List<String> lacking = List.of(CREATE_ITEMS, CREATE_MEMBERS);
            for (int i = 0; i < DEVICES; i++) {
                boolean late = s.lateTable() && i == LATE;
                Path file = StandaloneDevice.copyOf(TEMPLATES, late ? lacking : full, dir.resolve("d" + i + ".db"));
                long skew = s.skews().get(i);
                List<String> tracked = s.untrackedTable() && i == LATE ? List.of(ITEMS, MEMBERS) : TRACKED;
                StandaloneDevice d = new StandaloneDevice(file, tracked, () -> world.get() + skew, List.of());
                ConflictResolver resolver = new ConflictResolver(settings,
                        new ConflictRepository(d.jdbc()), d.tracker(), d.applier(), d.tables(), d.tx());
                d.addBean("conflictResolver", resolver);
                devices.add(d);
                resolvers.add(resolver);
                stored.add(new HashSet<>());
                hasExtras[i] = !late && !(s.untrackedTable() && i == LATE);
            }
            int n = 0;
            for (Step step : s.steps()) {
                if (n == s.lateTableAt()) {
                    createLateTable();
                }
                world.addAndGet(1 + (n++ % 3));
                if (step instanceof Write w) {
                    write(w.device(), w.ops());
                } else if (step instanceof Deliver d) {
                    if (d.from() != d.to()) {
                        deliver(d);
                    }
                }
            }
            exchangeAll(); // a device still without the table holds all of it now
            createLateTable();
            settle();
            checkBeforeAnyoneActs();
            resolveClashesByHand();
            checkFinal();
        }

        // ---- app writes

        private void write(int d, List<Op> ops) {
            StandaloneDevice dev = devices.get(d);
            dev.followSchema(); // as the node's capture poll does before each write is sealed
            Map<String, Map<String, Map<String, Object>>> before = snapshot(d);
            dev.tx().executeWithoutResult(status -> {
                for (Op op : ops) {
                    run(d, op);
                }
                dev.tracker().sealPending();
            });
            List<Expected> expected = diff(before, snapshot(d));
            if (expected.size() > 1) {
                multiRowTransactions++;
            }
            List<ChangeEntry> sealed = ownNewEntries(d);
            assertThat(sealed.stream().map(e -> e.table() + ' ' + e.recordId() + ' ' + e.operation()).sorted().toList())
                    .as("entries sealed for %s on d%d", ops, d)
                    .isEqualTo(expected.stream().map(x -> x.table() + ' ' + x.recordId() + ' ' + x.op()).sorted().toList());
            Map<String, Expected> byRow = new HashMap<>();
            expected.forEach(x -> byRow.put(x.table() + ' ' + x.recordId(), x));
            for (ChangeEntry e : sealed) {
                Expected x = byRow.get(e.table() + ' ' + e.recordId());
                Set<Integer> saw = seen(d, x.table(), x.recordId());
                assertThat(e.base()).as("base of %s/%s written on d%d: what d%d had seen of the row", e.table(),
                        e.recordId(), d, d).isEqualTo(vectorOf(saw));
                if (e.operation() == Operation.UPDATE) {
                    assertThat(changedColumns(e)).as("changed columns of %s/%s", e.table(), e.recordId())
                            .isEqualTo(x.written());
                }
                add(d, e, x.op(), x.written(), x.row(), saw, false);
            }
        }

        private void run(int d, Op op) {
            StandaloneDevice dev = devices.get(d);
            int u = ++unique;
            switch (op.kind()) {
                case ITEM_UPSERT -> {
                    long id = op.a();
                    if (!exists(dev, ITEMS, id)) {
                        sql(dev, "INSERT INTO items (id, title, qty, note) VALUES (?, ?, ?, ?)", id, "t" + u, u % 10,
                                u % 2 == 0 ? null : "n" + u);
                        return;
                    }
                    List<String> sets = new ArrayList<>();
                    List<Object> params = new ArrayList<>();
                    if ((op.columns() & 1) != 0) {
                        sets.add("title = ?");
                        params.add("t" + u);
                    }
                    if ((op.columns() & 2) != 0) {
                        sets.add("qty = qty + ?");
                        params.add(u % 5 + 1);
                    }
                    if ((op.columns() & 4) != 0) {
                        sets.add("note = ?");
                        params.add(u % 3 == 0 ? null : "n" + u);
                    }
                    params.add(id);
                    sql(dev, "UPDATE items SET " + String.join(", ", sets) + " WHERE id = ?", params.toArray());
                }
                case ITEM_DELETE -> sql(dev, "DELETE FROM items WHERE id = ?", (long) op.a());
                case ITEM_REKEY -> {
                    long from = op.a();
                    long to = op.b();
                    if (from != to && exists(dev, ITEMS, from) && !exists(dev, ITEMS, to)) {
                        keyChanges++;
                        if ((op.columns() & 1) != 0) {
                            sql(dev, "UPDATE items SET id = ?, title = ? WHERE id = ?", to, "t" + u, from);
                        } else {
                            sql(dev, "UPDATE items SET id = ? WHERE id = ?", to, from);
                        }
                    }
                }
                case EXTRA_UPSERT -> {
                    if (hasExtras[d]) {
                        long id = op.a() % 3 + 1;
                        sql(dev, "INSERT INTO extras (id, label) VALUES (?, ?) ON CONFLICT (id) DO UPDATE "
                                + "SET label = excluded.label", id, "l" + u);
                    }
                }
                case EXTRA_DELETE -> {
                    if (hasExtras[d]) {
                        sql(dev, "DELETE FROM extras WHERE id = ?", (long) (op.a() % 3 + 1));
                    }
                }
                case MEMBER_INSERT -> {
                    String email = "e" + op.a() % 2 + "@example.org";
                    boolean taken = dev.jdbc().sql("SELECT COUNT(*) FROM members WHERE email = ?").param(email)
                            .query(Integer.class).single() > 0;
                    if (!taken) { // taken: the app's insert fails
                        sql(dev, "INSERT INTO members (id, email, name) VALUES (?, ?, ?)",
                                "m" + d + "-" + ++memberCounter[d], email, "name" + u);
                    }
                }
                case MEMBER_RENAME -> ownMember(d, op.a()).ifPresent(id ->
                        sql(dev, "UPDATE members SET name = ? WHERE id = ?", "name" + u, id));
                case MEMBER_DELETE -> ownMember(d, op.a()).ifPresent(id ->
                        sql(dev, "DELETE FROM members WHERE id = ?", id));
            }
        }

        /**
         * One of the members rows this device inserted itself. Only a row's own device edits it: the clash the
         * model checks is between rows of different devices. Renaming or deleting a clashing row before its
         * INSERT applied elsewhere replaces the held INSERT there, and its conflict with it.
         */
        private java.util.Optional<String> ownMember(int d, int pick) {
            List<String> own = devices.get(d).jdbc().sql("SELECT id FROM members WHERE id LIKE ? ORDER BY id")
                    .param("m" + d + "-%").query(String.class).list();
            return own.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(own.get(pick % own.size()));
        }

        private void createLateTable() {
            if (!s.lateTable() || hasExtras[LATE]) {
                return;
            }
            StandaloneDevice dev = devices.get(LATE);
            heldForLateTable += (int) dev.held().list(10_000).stream().filter(h -> h.table().equals(EXTRAS)).count();
            dev.jdbc().sql(CREATE_EXTRAS).update();
            dev.followSchema();
            hasExtras[LATE] = true;
            assertThat(ownNewEntries(LATE)).as("entries d%d made of its own when the table appeared", LATE).isEmpty();
            assertThat(dev.held().list(10_000)).as("entries of extras still held on d%d once it has the table", LATE)
                    .noneMatch(h -> h.table().equals(EXTRAS));
        }

        // ---- deliveries

        private void deliver(Deliver d) {
            StandaloneDevice from = devices.get(d.from());
            StandaloneDevice to = devices.get(d.to());
            Random random = new Random(d.seed());
            List<ChangeEntry> batch = PartialDelivery.prefixesInterleaved(
                    from.tracker().missingFrom(to.tracker().versionVector(), 10_000), d.keepPercent(), random);
            int size = Math.max(1, (batch.size() + d.batches() - 1) / d.batches());
            for (int i = 0; i < batch.size(); i += size) {
                receive(d.to(), d.from(), batch.subList(i, Math.min(batch.size(), i + size)));
            }
        }

        private long receive(int to, int from, List<ChangeEntry> entries) {
            if (entries.isEmpty()) {
                return 0;
            }
            devices.get(to).applier().apply(entries, devices.get(from).id());
            long fresh = 0;
            for (ChangeEntry e : entries) {
                ModelWrite w = byRef.get(ref(e));
                assertThat(w).as("entry %s is a write the model knows", ref(e)).isNotNull();
                if (stored.get(to).add(w.id())) {
                    fresh++;
                }
            }
            assertThat(devices.get(to).tracker().versionVector())
                    .as("vector of d%d: everything delivered to it that a group end covers", to)
                    .isEqualTo(vectorOf(logged(to)));
            return fresh;
        }

        private void exchangeAll() {
            for (int round = 0; round < 10; round++) {
                long got = 0;
                for (int to = 0; to < DEVICES; to++) {
                    for (int from = 0; from < DEVICES; from++) {
                        if (from != to) {
                            got += receive(to, from, devices.get(from).tracker()
                                    .missingFrom(devices.get(to).tracker().versionVector(), 10_000));
                        }
                    }
                }
                if (got == 0) {
                    return;
                }
            }
            throw new AssertionError("exchange did not settle in 10 rounds");
        }

        /** Everything everywhere, and the holds retried once more, as the node's hold timer does. */
        private void settle() {
            exchangeAll();
            devices.forEach(d -> d.applier().retryHeld(true));
            exchangeAll();
            for (int i = 0; i < DEVICES; i++) {
                assertThat(ownNewEntries(i)).as("entries d%d made of its own while receiving", i).isEmpty();
            }
        }

        // ---- checks

        private void checkBeforeAnyoneActs() {
            checkVectorsAndClocks();
            checkUntrackedTable();
            for (String table : List.of(ITEMS, EXTRAS)) {
                Map<String, Map<String, Object>> want = expectedRows(table);
                for (int i = 0; i < DEVICES; i++) {
                    if (table.equals(EXTRAS) && untrackedHere(i)) {
                        continue;
                    }
                    assertThat(rows(i, table)).as("%s on d%d, as the model says", table, i).isEqualTo(want);
                    assertThat(devices.get(i).held().list(10_000)).as("held entries of %s on d%d", table, i)
                            .noneMatch(h -> h.table().equals(table));
                }
            }
            Map<String, Map<String, Object>> members = expectedRows(MEMBERS);
            Map<String, List<String>> byEmail = new TreeMap<>();
            members.forEach((id, row) -> byEmail.computeIfAbsent((String) row.get("email"), k -> new ArrayList<>()).add(id));
            for (int i = 0; i < DEVICES; i++) {
                Map<String, Map<String, Object>> here = rows(i, MEMBERS);
                List<String> wantPending = new ArrayList<>();
                for (Map.Entry<String, List<String>> group : byEmail.entrySet()) {
                    List<String> live = group.getValue();
                    List<String> present = live.stream().filter(here::containsKey).toList();
                    assertThat(present).as("members with email %s on d%d: one of %s", group.getKey(), i, live).hasSize(1);
                    assertThat(here.get(present.get(0))).as("members/%s on d%d", present.get(0), i)
                            .isEqualTo(members.get(present.get(0)));
                    live.stream().filter(id -> !id.equals(present.get(0))).forEach(wantPending::add);
                }
                assertThat(here.keySet()).as("members on d%d: only live rows", i).isSubsetOf(members.keySet());
                List<Conflict> pending = pending(i);
                clashesPending += pending.size();
                editConflicts += devices.get(i).jdbc().sql("SELECT COUNT(*) FROM sync_conflicts WHERE kind = 'edit'")
                        .query(Integer.class).single();
                assertThat(pending).as("pending conflicts on d%d are UNIQUE clashes of members", i)
                        .allMatch(c -> c.kind() == ConflictKind.UNIQUE && c.table().equals(MEMBERS));
                assertThat(pending.stream().map(Conflict::recordId).sorted().toList())
                        .as("pending conflicts on d%d: one per live row that clashes with the row it has", i)
                        .isEqualTo(wantPending.stream().sorted().toList());
            }
        }

        /** Resolves the pending clashes of one device at a time by hand, exchanging in between. */
        private void resolveClashesByHand() {
            for (int round = 0; round < 12; round++) {
                int d = -1;
                for (int i = 0; i < DEVICES && d < 0; i++) {
                    if (!pending(i).isEmpty()) {
                        d = i;
                    }
                }
                if (d < 0) {
                    return;
                }
                ConflictResolver resolver = resolvers.get(d);
                for (Conflict c : pending(d)) {
                    try {
                        resolver.resolve(c.id(), c.id() % 2 == 0 ? ResolutionStrategy.LOCAL : ResolutionStrategy.REMOTE);
                    } catch (ConflictNotPendingException closedByAnEarlierResolution) {
                        // settled by a resolution of another conflict here
                    }
                    for (ChangeEntry e : ownNewEntries(d)) {
                        assertThat(e.kind()).as("what resolving a clash writes").isEqualTo(Kind.RESOLUTION);
                        assertThat(e.operation()).as("resolving a clash deletes one of the rows").isEqualTo(Operation.DELETE);
                        add(d, e, Operation.DELETE, Set.of(), null, seen(d, e.table(), e.recordId()), true);
                    }
                }
                settle();
            }
            throw new AssertionError("clashes still pending after 12 rounds of resolving");
        }

        private void checkFinal() {
            checkVectorsAndClocks();
            checkUntrackedTable();
            for (String table : TRACKED) {
                Map<String, Map<String, Object>> want = expectedRows(table);
                for (int i = 0; i < DEVICES; i++) {
                    if (table.equals(EXTRAS) && untrackedHere(i)) {
                        continue;
                    }
                    assertThat(rows(i, table)).as("%s on d%d after the clashes were resolved, as the model says", table, i)
                            .isEqualTo(want);
                    assertThat(pending(i)).as("pending conflicts on d%d", i).isEmpty();
                    boolean untracked = untrackedHere(i);
                    assertThat(devices.get(i).held().list(10_000)).as("held entries on d%d", i)
                            .allMatch(h -> untracked && h.table().equals(EXTRAS));
                }
            }
            assertThat(devices.get(0).tracker().verify()).isEmpty();
        }

        private boolean untrackedHere(int d) {
            return s.untrackedTable() && d == LATE;
        }

        /**
         * A device that does not track {@code extras} stores and relays its entries but holds every one of them
         * (documented: a table tracked there and not here), writes nothing into its own table, and nothing else
         * waits behind them.
         */
        private void checkUntrackedTable() {
            if (!s.untrackedTable()) {
                return;
            }
            assertThat(rows(LATE, EXTRAS)).as("extras on d%d, which does not track it", LATE).isEmpty();
            List<HeldEntry> held = devices.get(LATE).held().list(10_000).stream()
                    .filter(h -> h.table().equals(EXTRAS)).toList();
            assertThat(held).as("entries of extras held on d%d", LATE)
                    .allMatch(h -> h.reason() == HoldReason.MISSING_TABLE);
            Set<Integer> heldWrites = held.stream().map(h -> byRef.get(h.entry().origin() + "#" + h.entry().version()).id())
                    .collect(Collectors.toSet());
            for (ModelWrite w : writes) {
                if (w.table().equals(EXTRAS)) {
                    // a held write may be replaced by a later held write of its row that saw it
                    assertThat(heldWrites.contains(w.id()) || heldWrites.stream().anyMatch(h -> writes.get(h).saw().contains(w.id())))
                            .as("%s#%d of extras/%s held on d%d, or replaced by a held write that saw it", w.origin(),
                                    w.version(), w.recordId(), LATE).isTrue();
                }
            }
        }

        private void checkVectorsAndClocks() {
            VersionVector all = vectorOf(writes.stream().map(ModelWrite::id).collect(Collectors.toSet()));
            for (int i = 0; i < DEVICES; i++) {
                assertThat(devices.get(i).tracker().versionVector()).as("vector of d%d", i).isEqualTo(all);
            }
            for (ModelWrite w : writes) {
                for (int p : w.saw()) {
                    assertThat(writes.get(p).hlc()).as("clock of %s#%d, which %s#%d saw", writes.get(p).origin(),
                            writes.get(p).version(), w.origin(), w.version()).isLessThan(w.hlc());
                }
            }
        }

        // ---- the model's rows

        /** The rows of {@code table} by record id that the documented rules make of the whole history. */
        private Map<String, Map<String, Object>> expectedRows(String table) {
            Map<String, List<ModelWrite>> byRow = new TreeMap<>();
            writes.stream().filter(w -> w.table().equals(table))
                    .forEach(w -> byRow.computeIfAbsent(w.recordId(), k -> new ArrayList<>()).add(w));
            Map<String, Map<String, Object>> out = new TreeMap<>();
            byRow.forEach((id, ws) -> {
                ModelWrite top = frontier(ws).stream().max(LATER).orElseThrow();
                if (top.op() == Operation.DELETE) {
                    return;
                }
                if (table.equals(ITEMS) && itemsPolicy == ConflictPolicy.TIMESTAMP) {
                    out.put(id, new TreeMap<>(top.row()));
                    return;
                }
                Map<String, Object> row = new TreeMap<>();
                Set<String> columns = new TreeSet<>();
                ws.forEach(w -> columns.addAll(w.written()));
                for (String c : columns) {
                    List<ModelWrite> writers = ws.stream().filter(w -> w.written().contains(c)).toList();
                    row.put(c, frontier(writers).stream().max(LATER).orElseThrow().row().get(c));
                }
                out.put(id, row);
            });
            return out;
        }

        /** The writes none of the others saw. */
        private List<ModelWrite> frontier(List<ModelWrite> ws) {
            return ws.stream().filter(w -> ws.stream().noneMatch(o -> saw(o, w))).toList();
        }

        /**
         * True if {@code o} was made on top of {@code w}: it saw {@code w}, or {@code w} is a first INSERT of the
         * row and {@code o} saw another device's identical first INSERT of it (docs/conflicts.md, "Rows two
         * devices both had": copies of one row count as one write).
         */
        private boolean saw(ModelWrite o, ModelWrite w) {
            return o.saw().contains(w.id()) || firstInsert(w) && o.saw().stream().map(writes::get)
                    .anyMatch(t -> t.id() != w.id() && firstInsert(t) && t.rowKey().equals(w.rowKey())
                            && t.row().equals(w.row()));
        }

        private static boolean firstInsert(ModelWrite w) {
            return w.op() == Operation.INSERT && w.saw().isEmpty() && !w.resolution();
        }

        /**
         * What device {@code d} has seen of a row: the writes of it it placed on the row and all that those saw.
         * A stored entry is placed once its group's last entry is stored too (a delivery can end inside the
         * group of a multi-statement transaction: the receiver stores those entries and waits).
         */
        private Set<Integer> seen(int d, String table, String recordId) {
            Map<String, Long> placedUpTo = groupEndsDelivered(d);
            VersionVector logged = vectorOf(logged(d));
            Set<Integer> out = new HashSet<>();
            for (int id : stored.get(d)) {
                ModelWrite w = writes.get(id);
                if (w.version() > placedUpTo.getOrDefault(w.origin(), 0L)) {
                    continue; // stored, waiting for the end of its group
                }
                if (waitsForItsBase(w, logged)) {
                    continue; // held (unknown-base) until the edits it was made on are here
                }
                if (w.table().equals(table) && w.recordId().equals(recordId)) {
                    out.add(id);
                    out.addAll(w.saw());
                }
            }
            return out;
        }

        /**
         * True if the write's base names a version of another origin that the device's log does not reach yet: a
         * partial delivery brought it before an edit it was made on, so it waits (docs/storage.md, "Holds").
         */
        private boolean waitsForItsBase(ModelWrite w, VersionVector logged) {
            return vectorOf(w.saw()).asMap().entrySet().stream()
                    .anyMatch(b -> !b.getKey().equals(w.origin()) && b.getValue() > logged.get(b.getKey()));
        }

        /**
         * The writes whose entries device {@code d} holds in its log: its own, and of every other origin those up
         * to the last group end delivered (docs/storage.md, "Group signatures": entries no delivered group end
         * covers yet wait outside the log).
         */
        private Set<Integer> logged(int d) {
            Map<String, Long> placedUpTo = groupEndsDelivered(d);
            String own = devices.get(d).id();
            Set<Integer> out = new HashSet<>();
            for (int id : stored.get(d)) {
                ModelWrite w = writes.get(id);
                if (w.origin().equals(own) || w.version() <= placedUpTo.getOrDefault(w.origin(), 0L)) {
                    out.add(id);
                }
            }
            return out;
        }

        /** Per origin, the highest version of an entry device {@code d} was delivered that ends its group. */
        private Map<String, Long> groupEndsDelivered(int d) {
            Map<String, Long> upTo = new HashMap<>();
            for (int id : stored.get(d)) {
                if (groupEnds.contains(id)) {
                    upTo.merge(writes.get(id).origin(), writes.get(id).version(), Math::max);
                }
            }
            return upTo;
        }

        private VersionVector vectorOf(Set<Integer> ids) {
            Map<String, Long> max = new TreeMap<>();
            ids.forEach(id -> max.merge(writes.get(id).origin(), writes.get(id).version(), Math::max));
            return max.isEmpty() ? VersionVector.EMPTY : VersionVector.of(max);
        }

        private void add(int d, ChangeEntry e, Operation op, Set<String> written, Map<String, Object> row,
                Set<Integer> saw, boolean resolution) {
            ModelWrite w = new ModelWrite(writes.size(), e.origin(), e.version(), e.table(), e.recordId(), op, written,
                    row, Set.copyOf(saw), e.hlc(), resolution);
            writes.add(w);
            byRef.put(ref(e), w);
            if (!e.continues()) {
                groupEnds.add(w.id());
            }
            stored.get(d).add(w.id());
        }

        /** The entries device {@code d} sealed since the last call. */
        private List<ChangeEntry> ownNewEntries(int d) {
            StandaloneDevice dev = devices.get(d);
            Map<String, Long> known = new TreeMap<>(dev.tracker().versionVector().asMap());
            known.remove(dev.id());
            if (ownVersion[d] > 0) {
                known.put(dev.id(), ownVersion[d]);
            }
            List<ChangeEntry> out = dev.tracker().missingFrom(known.isEmpty() ? VersionVector.EMPTY : VersionVector.of(known),
                    10_000).stream().filter(e -> e.origin().equals(dev.id())).toList();
            out.forEach(e -> ownVersion[d] = Math.max(ownVersion[d], e.version()));
            return out;
        }

        // ---- reading devices

        private Map<String, Map<String, Map<String, Object>>> snapshot(int d) {
            Map<String, Map<String, Map<String, Object>>> out = new HashMap<>();
            for (String table : TRACKED) {
                out.put(table, table.equals(EXTRAS) && !hasExtras[d] ? Map.of() : rows(d, table));
            }
            return out;
        }

        private Map<String, Map<String, Object>> rows(int d, String table) {
            Map<String, Map<String, Object>> out = new TreeMap<>();
            devices.get(d).jdbc().sql("SELECT * FROM " + table).query(rs -> {
                Map<String, Object> row = new TreeMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), SqlValues.normalize(rs.getObject(i)));
                }
                out.put(SqlValues.encodeKey(List.of(row.get("id"))), row);
            });
            return out;
        }

        private List<Conflict> pending(int d) {
            return new ConflictRepository(devices.get(d).jdbc()).find(ConflictStatus.PENDING, null, 0, 10_000).items();
        }
    }

    /** What the app's write did to each row: the model's expectation of the entries sealed for it. */
    private static List<Expected> diff(Map<String, Map<String, Map<String, Object>>> before,
            Map<String, Map<String, Map<String, Object>>> after) {
        List<Expected> out = new ArrayList<>();
        for (String table : TRACKED) {
            Map<String, Map<String, Object>> b = before.get(table);
            Map<String, Map<String, Object>> a = after.get(table);
            Set<String> keys = new TreeSet<>(b.keySet());
            keys.addAll(a.keySet());
            for (String id : keys) {
                Map<String, Object> was = b.get(id);
                Map<String, Object> now = a.get(id);
                if (was == null && now != null) {
                    out.add(new Expected(table, id, Operation.INSERT, Set.copyOf(now.keySet()), now));
                } else if (was != null && now == null) {
                    out.add(new Expected(table, id, Operation.DELETE, Set.of(), null));
                } else if (was != null && !was.equals(now)) {
                    Set<String> changed = now.keySet().stream().filter(c -> !Objects.equals(was.get(c), now.get(c)))
                            .collect(Collectors.toSet());
                    out.add(new Expected(table, id, Operation.UPDATE, changed, now));
                }
            }
        }
        return out;
    }

    private static Set<String> changedColumns(ChangeEntry e) {
        JsonNode list = JSON.readTree(e.changedColumns());
        Set<String> out = new HashSet<>();
        list.forEach(c -> out.add(c.asString()));
        return out;
    }

    private static boolean exists(StandaloneDevice d, String table, long id) {
        return d.jdbc().sql("SELECT COUNT(*) FROM " + table + " WHERE id = ?").param(id).query(Integer.class).single() > 0;
    }

    private static void sql(StandaloneDevice d, String sql, Object... params) {
        d.jdbc().sql(sql).params(params).update();
    }

    private static String ref(ChangeEntry e) {
        return e.origin() + "#" + e.version();
    }

}
