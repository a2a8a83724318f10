package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's clean entries (fresh inserts, and edits made on top of everything their row has seen) are put on
 * their rows in bulk ({@code Placer.placeInBulk}); what they leave must be exactly what the per-entry path
 * leaves: the rows, their states with the vectors and the column hashes of the rows as stored (so neither the
 * scan nor the sealer sees a change nobody made), and on any failure the per-entry path's holds.
 */
class BulkPlacementTest {

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE people (id TEXT PRIMARY KEY, email TEXT UNIQUE, age INTEGER, note TEXT DEFAULT 'none')");

    @TempDir
    Path dir;

    private StandaloneDevice node;
    private final RemoteDevice bob = new RemoteDevice();
    private long clock = 1L << 20;

    @BeforeEach
    void start() {
        node = new StandaloneDevice(dir.resolve("node.db"), List.of("people"), System::currentTimeMillis, SCHEMA);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** One group of {@code n} fresh inserts of bob's; ages given as text, which the INTEGER column turns into numbers. */
    private List<ChangeEntry> people(int from, int n) {
        List<ChangeEntry> group = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String id = "p" + i;
            group.add(bob.next(new RowChange("people", "[\"" + id + "\"]", Operation.INSERT, Kind.EDIT,
                    "{\"id\":\"" + id + "\",\"email\":\"" + id + "@example.org\",\"age\":\"" + (20 + i) + "\"}", null),
                    VersionVector.EMPTY, clock++, i < from + n - 1));
        }
        return group;
    }

    private long count(String sql) {
        return node.jdbc().sql(sql).query(Long.class).single();
    }

    @Test
    void aRowPastTheTablesLimitsIsHeldAndNotInsertedWithTheRestOfItsGroup() {
        node.addBean("people limits", new RowLimits() {
            @Override
            public String table() {
                return "people";
            }

            @Override
            public java.util.Optional<String> refusal(java.util.Map<String, Object> row) {
                return "p3".equals(row.get("id")) ? java.util.Optional.of("p3 is over the limit")
                        : java.util.Optional.empty();
            }
        });
        List<ChangeEntry> group = people(0, 20);

        List<ApplyOutcome> out = node.applier().apply(group, bob.id());

        assertThat(count("SELECT COUNT(*) FROM people")).isEqualTo(19);
        assertThat(count("SELECT COUNT(*) FROM people WHERE id = 'p3'")).isZero();
        assertThat(node.held().find(EntryRef.of(group.get(3)))).map(HeldEntry::reason).contains(HoldReason.LIMIT);
        assertThat(out.get(19).result()).isEqualTo(Result.APPLIED);
    }

    @Test
    void freshInsertsLeaveTheRowsAndStatesThePerEntryPathLeaves() {
        List<ChangeEntry> group = people(0, 50);

        assertThat(node.applier().apply(group, bob.id())).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);

        assertThat(count("SELECT COUNT(*) FROM people")).isEqualTo(50);
        assertThat(node.jdbc().sql("SELECT typeof(age) || ':' || age || ':' || note FROM people WHERE id = 'p7'")
                .query(String.class).single()).as("stored with the column's affinity and default").isEqualTo("integer:27:none");
        assertThat(count("SELECT COUNT(*) FROM sync_row_state WHERE table_name = 'people' AND column_hashes IS NOT NULL"))
                .isEqualTo(50);
        // hashes of the rows as stored: a scan finds nothing to seal, and nothing was captured
        assertThat(node.scan().scan(List.of("people"))).allSatisfy(scan -> assertThat(scan.sealed()).isZero());
        assertThat(node.tracker().sealPending()).isZero();
        assertThat(node.tracker().verify()).isEmpty();

        // a later local edit is made on top of bob's insert
        node.write("UPDATE people SET age = 99 WHERE id = 'p7'");
        ChangeEntry edit = node.tracker().find(new EntryRef(node.id(), 1)).orElseThrow();
        assertThat(edit.base()).isEqualTo(group.get(7).vector());
        assertThat(edit.changedColumns()).isEqualTo("[\"age\"]");
    }

    @Test
    void aRowTheAppAlreadyHasAndAClashGoThePerEntryWayAndTheRestGoesInWhole() {
        node.write("INSERT INTO people (id, email, age) VALUES ('p3', 'mine@example.org', 1)");
        node.write("INSERT INTO people (id, email, age) VALUES ('local', 'p5@example.org', 2)");
        List<ChangeEntry> group = people(0, 20);

        List<ApplyOutcome> out = node.applier().apply(group, bob.id());

        assertThat(out.get(3).result()).as("met the local row: a conflict, settled by the policy")
                .isIn(Result.CONFLICT, Result.APPLIED);
        assertThat(out.get(5).result()).as("its email clashes with a local row").isEqualTo(Result.HELD);
        assertThat(out.get(5).reason()).isEqualTo(HoldReason.UNIQUE);
        for (int i : new int[] {0, 1, 2, 4, 6, 10, 19}) {
            assertThat(out.get(i).result()).as("entry %d", i).isEqualTo(Result.APPLIED);
        }
        assertThat(count("SELECT COUNT(*) FROM people WHERE id LIKE 'p%'")).isEqualTo(19);
        assertThat(node.scan().scan(List.of("people"))).allSatisfy(scan -> assertThat(scan.sealed()).isZero());
        assertThat(node.tracker().verify()).isEmpty();
        assertThat(node.held().count()).isEqualTo(1);
    }

    /** Bob's group of edits of the rows {@code ids}, each made on top of the entry {@code onTopOf} gives. */
    private List<ChangeEntry> edits(List<String> ids, java.util.function.Function<String, ChangeEntry> onTopOf,
            java.util.function.Function<String, RowChange> change) {
        List<ChangeEntry> group = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            group.add(bob.next(change.apply(ids.get(i)), onTopOf.apply(ids.get(i)).vector(), clock++, i < ids.size() - 1));
        }
        return group;
    }

    /** The ids of the first {@code n} people: p0, p1, ... */
    private static List<String> ids(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "p" + i).toList();
    }

    /** The row state of person {@code id}: vector, origin, version and whether deleted. */
    private String state(String id) {
        return stateColumn("vector || ' ' || origin || ' ' || version || ' ' || deleted", id);
    }

    @Test
    void editsMadeOnTopOfTheRowsGoInWholeAndLeaveTheStatesThePerEntryPathLeaves() {
        List<ChangeEntry> inserts = people(0, 20);
        node.applier().apply(inserts, bob.id());
        List<String> ids = ids(20);
        List<ChangeEntry> updates = edits(ids, id -> inserts.get(Integer.parseInt(id.substring(1))),
                id -> id.equals("p5")
                        ? new RowChange("people", "[\"p5\"]", Operation.DELETE, Kind.EDIT, null, null)
                        : new RowChange("people", "[\"" + id + "\"]", Operation.UPDATE, Kind.EDIT,
                                "{\"id\":\"" + id + "\",\"age\":\"7" + id.substring(1) + "\"}", "[\"age\"]"));

        assertThat(node.applier().apply(updates, bob.id())).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);

        assertThat(count("SELECT COUNT(*) FROM people")).isEqualTo(19);
        assertThat(node.jdbc().sql("SELECT typeof(age) || ':' || age || ':' || email || ':' || note FROM people WHERE id = 'p7'")
                .query(String.class).single()).as("the columns the edit left alone keep their values")
                .isEqualTo("integer:77:p7@example.org:none");
        assertThat(state("p7")).isEqualTo(updates.get(7).vector().toJson() + " " + bob.id() + " " + updates.get(7).version() + " 0");
        assertThat(state("p5")).endsWith(" 1");
        assertThat(node.scan().scan(List.of("people"))).allSatisfy(scan -> assertThat(scan.sealed()).isZero());
        assertThat(node.tracker().sealPending()).isZero();
        assertThat(node.tracker().verify()).isEmpty();

        node.write("UPDATE people SET age = 1 WHERE id = 'p8'");
        ChangeEntry edit = node.tracker().find(new EntryRef(node.id(), 1)).orElseThrow();
        assertThat(edit.base()).as("a later local edit is made on top of bob's").isEqualTo(updates.get(8).vector());
    }

    @Test
    void anEditConcurrentWithALocalOneIsAConflictWhileTheRestOfItsGroupGoesInWhole() {
        List<ChangeEntry> inserts = people(0, 20);
        node.applier().apply(inserts, bob.id());
        node.write("UPDATE people SET note = 'mine' WHERE id = 'p3'");
        List<String> ids = ids(20);
        List<ChangeEntry> updates = edits(ids, id -> inserts.get(Integer.parseInt(id.substring(1))),
                id -> new RowChange("people", "[\"" + id + "\"]", Operation.UPDATE, Kind.EDIT,
                        "{\"id\":\"" + id + "\",\"note\":\"bob\"}", "[\"note\"]"));

        List<ApplyOutcome> out = node.applier().apply(updates, bob.id());

        assertThat(out.get(3).result()).as("made without the local edit").isEqualTo(Result.CONFLICT);
        for (int i : new int[] {0, 2, 4, 10, 19}) {
            assertThat(out.get(i).result()).as("entry %d", i).isEqualTo(Result.APPLIED);
        }
        assertThat(count("SELECT COUNT(*) FROM people WHERE note = 'bob' AND id <> 'p3'")).isEqualTo(19);
        assertThat(state("p3")).as("the state has seen both edits")
                .startsWith(node.tracker().find(new EntryRef(node.id(), 1)).orElseThrow().vector().merge(updates.get(3).vector()).toJson());
        assertThat(node.scan().scan(List.of("people"))).allSatisfy(scan -> assertThat(scan.sealed()).isZero());
        assertThat(node.tracker().verify()).isEmpty();
    }

    @Test
    void editsThatClashHalfWayGoThePerEntryWayInOrderAndAllApply() {
        List<ChangeEntry> inserts = people(0, 20);
        node.applier().apply(inserts, bob.id());
        // in one app transaction p1 gives up its email and p0 takes it: the batch as written clashes on the
        // UNIQUE email only if p0 goes first, so the group falls back and applies entry by entry, in order
        List<ChangeEntry> group = new ArrayList<>();
        group.add(bob.next(new RowChange("people", "[\"p1\"]", Operation.UPDATE, Kind.EDIT,
                "{\"id\":\"p1\",\"email\":\"new@example.org\"}", "[\"email\"]"), inserts.get(1).vector(), clock++, true));
        group.add(bob.next(new RowChange("people", "[\"p0\"]", Operation.UPDATE, Kind.EDIT,
                "{\"id\":\"p0\",\"email\":\"p1@example.org\"}", "[\"email\"]"), inserts.get(0).vector(), clock++, true));
        for (int i = 2; i < 12; i++) {
            group.add(bob.next(new RowChange("people", "[\"p" + i + "\"]", Operation.UPDATE, Kind.EDIT,
                    "{\"id\":\"p" + i + "\",\"age\":1}", "[\"age\"]"), inserts.get(i).vector(), clock++, i < 11));
        }

        assertThat(node.applier().apply(group, bob.id())).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);

        assertThat(node.jdbc().sql("SELECT email FROM people WHERE id = 'p0'").query(String.class).single())
                .isEqualTo("p1@example.org");
        assertThat(count("SELECT COUNT(*) FROM people WHERE age = 1")).isEqualTo(10);
        assertThat(node.held().count()).isZero();
        assertThat(node.tracker().verify()).isEmpty();
    }

    private String hashesOf(String id) {
        return stateColumn("COALESCE(column_hashes, 'none')", id);
    }

    private String stateColumn(String expression, String id) {
        return node.jdbc().sql("SELECT " + expression + " FROM sync_row_state_view WHERE table_name = 'people' AND record_id = ?")
                .param("[\"" + id + "\"]").query(String.class).single();
    }

    @Test
    void aDeletePlacedInBulkLeavesTheStateADeletePlacedAloneLeaves() {
        List<ChangeEntry> inserts = people(0, 20);
        node.applier().apply(inserts, bob.id());
        List<String> ids = ids(10);
        List<ChangeEntry> group = edits(ids, id -> inserts.get(Integer.parseInt(id.substring(1))),
                id -> id.equals("p5") ? new RowChange("people", "[\"p5\"]", Operation.DELETE, Kind.EDIT, null, null)
                        : new RowChange("people", "[\"" + id + "\"]", Operation.UPDATE, Kind.EDIT,
                                "{\"id\":\"" + id + "\",\"age\":1}", "[\"age\"]"));
        node.applier().apply(group, bob.id());
        ChangeEntry alone = bob.next(new RowChange("people", "[\"p15\"]", Operation.DELETE, Kind.EDIT, null, null),
                inserts.get(15).vector(), clock++, false);
        node.applier().apply(List.of(alone), bob.id());

        assertThat(state("p5")).endsWith(" 1");
        assertThat(state("p15")).endsWith(" 1");
        assertThat(hashesOf("p5")).isEqualTo(hashesOf("p15"));
    }

    @Test
    void hooksSeeAnEntryPlacedInBulkAmongItsRowsEntriesAsOneByOne() {
        List<Boolean> seen = new ArrayList<>();
        node.addBean("row watcher", (AppliedEntryListener) (e, result, rows) ->
                seen.add(rows.entries(e.table(), e.recordId()).contains(e)));
        List<ChangeEntry> group = people(0, 10);
        node.applier().apply(group, bob.id());
        ChangeEntry alone = people(10, 1).get(0);
        node.applier().apply(List.of(alone), bob.id());

        assertThat(seen).hasSize(11).containsOnly(true);
    }

    @Test
    void aRowTheAppWroteUnderAKeyOfAnotherStorageClassIsNeverOverwrittenInBulk() {
        // the app's row '5' was there before the table was tracked: no state, not sealed yet
        try (StandaloneDevice device = new StandaloneDevice(dir.resolve("tags.db"), List.of("tags"), System::currentTimeMillis,
                List.of("CREATE TABLE tags (name TEXT PRIMARY KEY, color TEXT)",
                        "INSERT INTO tags (name, color) VALUES ('5', 'mine')"))) {
            RemoteDevice carol = new RemoteDevice();
            List<ChangeEntry> inserts = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                inserts.add(carol.next(new RowChange("tags", "[\"t" + i + "\"]", Operation.INSERT, Kind.EDIT,
                        "{\"name\":\"t" + i + "\",\"color\":\"theirs\"}", null), VersionVector.EMPTY, clock++, i < 8));
            }
            device.applier().apply(inserts, carol.id());
            // edits of carol's rows (made on top of them) and an insert whose id names the key as the integer 5
            List<ChangeEntry> mixed = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                mixed.add(carol.next(new RowChange("tags", "[\"t" + i + "\"]", Operation.UPDATE, Kind.EDIT,
                        "{\"name\":\"t" + i + "\",\"color\":\"edited\"}", "[\"color\"]"), inserts.get(i).vector(), clock++, true));
            }
            mixed.add(carol.next(new RowChange("tags", "[5]", Operation.INSERT, Kind.EDIT,
                    "{\"name\":5,\"color\":\"theirs\"}", null), VersionVector.EMPTY, clock++, false));

            device.applier().apply(mixed, carol.id());

            assertThat(device.jdbc().sql("SELECT color FROM tags WHERE name = '5'").query(String.class).list())
                    .as("the app's row is met as a concurrent edit (its write is the later), never replaced unseen")
                    .containsExactly("mine");
            assertThat(device.jdbc().sql("SELECT COUNT(*) FROM tags WHERE color = 'edited'").query(Long.class).single())
                    .isEqualTo(9);
            assertThat(device.tracker().verify()).isEmpty();
        }
    }

    @Test
    void whatAHookSealsInABulkAttemptThatFailsIsNeverAnnounced() {
        java.util.concurrent.atomic.AtomicBoolean failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
        node.addBean("sealing hook", (AppliedEntryListener) (e, result, rows) -> {
            if (e.recordId().equals("[\"p0\"]")) {
                node.tracker().log(new RowChange("people", "[\"p0\"]", Operation.UPDATE, Kind.EDIT,
                        "{\"id\":\"p0\",\"note\":\"seen\"}", "[\"note\"]"));
            }
            if (e.recordId().equals("[\"p2\"]") && failedOnce.compareAndSet(false, true)) {
                throw new IllegalArgumentException("a hook that fails once"); // the bulk attempt is rolled back
            }
        });

        node.applier().apply(people(0, 10), bob.id());

        // the hook sealed version 1 in the bulk attempt and again, one by one, after its rollback: only the
        // second is in the log, and only it may be announced (an announced entry the log does not have is a fork)
        assertThat(node.committedEvents().stream().filter(LocalChangesSealed.class::isInstance).toList())
                .containsExactly(new LocalChangesSealed(1, 1));
        assertThat(count("SELECT COUNT(*) FROM sync_log WHERE received_from IS NULL")).isEqualTo(1);
        assertThat(node.tracker().verify()).isEmpty();
    }

    /**
     * Many small groups of one origin (a person's edits while this device was away, each sealed alone) go on
     * their rows together, the way one large group goes: what they leave must be what they leave delivered one
     * by one. First clean edits and a delete (the bulk way, with an email one row gives up and a later group's row
     * takes), then a mix the bulk way refuses: a row edited twice (the per-entry way, in order), an edit
     * concurrent with a local one (a conflict), an insert whose email clashes with a local row (held) and a later
     * group's edit of that row that takes the held insert's place, as placed alone: a clash is retried after the
     * rest of its own group, never after later groups (which once made the insert look applied late instead). Last,
     * an email one row takes and gives up before a later group's row takes it: nothing clashes one by one, so a
     * later group's row must not take it in bulk before the earlier groups' per-entry edits (which once held it).
     */
    @Test
    void manySmallGroupsOfOneOriginLeaveWhatTheyLeaveDeliveredOneByOne() {
        List<ChangeEntry> inserts = people(0, 30);
        java.util.function.BiFunction<String, String, RowChange> update = (id, json) ->
                new RowChange("people", "[\"" + id + "\"]", Operation.UPDATE, Kind.EDIT, json, null);
        List<ChangeEntry> clean = new ArrayList<>();
        for (int i = 8; i < 20; i++) {
            clean.add(bob.next(update.apply("p" + i, "{\"id\":\"p" + i + "\",\"age\":" + i + "}"),
                    inserts.get(i).vector(), clock++, false));
        }
        clean.add(bob.next(new RowChange("people", "[\"p4\"]", Operation.DELETE, Kind.EDIT, null, null),
                inserts.get(4).vector(), clock++, false));
        clean.add(bob.next(update.apply("p6", "{\"id\":\"p6\",\"email\":\"moved@example.org\"}"),
                inserts.get(6).vector(), clock++, false));
        clean.add(bob.next(update.apply("p7", "{\"id\":\"p7\",\"email\":\"p6@example.org\"}"),
                inserts.get(7).vector(), clock++, false));
        List<ChangeEntry> mixed = new ArrayList<>();
        mixed.add(bob.next(update.apply("p3", "{\"id\":\"p3\",\"age\":1}"), inserts.get(3).vector(), clock++, false));
        mixed.add(bob.next(update.apply("p3", "{\"id\":\"p3\",\"age\":2}"), mixed.get(0).vector(), clock++, false));
        mixed.add(bob.next(update.apply("p2", "{\"id\":\"p2\",\"note\":\"bob\"}"), inserts.get(2).vector(), clock++, false));
        mixed.add(bob.next(new RowChange("people", "[\"clash\"]", Operation.INSERT, Kind.EDIT,
                "{\"id\":\"clash\",\"email\":\"taken@example.org\"}", null), VersionVector.EMPTY, clock++, false));
        // a later group gives the clashing row another email: placed alone, the clash is still held, and this
        // edit waits behind it
        mixed.add(bob.next(update.apply("clash", "{\"id\":\"clash\",\"email\":\"free@example.org\"}"),
                mixed.get(3).vector(), clock++, false));
        for (int i = 20; i < 30; i++) {
            mixed.add(bob.next(update.apply("p" + i, "{\"id\":\"p" + i + "\",\"age\":1}"), inserts.get(i).vector(),
                    clock++, false));
        }
        // an email that p0 takes and gives up again before p1 takes it: placed alone, nothing clashes; placed in
        // bulk before p0's edits (which go the per-entry way, p0 being edited twice), p1 would take it first
        List<ChangeEntry> swap = new ArrayList<>();
        swap.add(bob.next(update.apply("p0", "{\"id\":\"p0\",\"email\":\"x@example.org\"}"), inserts.get(0).vector(),
                clock++, false));
        swap.add(bob.next(update.apply("p0", "{\"id\":\"p0\",\"email\":\"y@example.org\"}"), swap.get(0).vector(),
                clock++, false));
        swap.add(bob.next(update.apply("p1", "{\"id\":\"p1\",\"email\":\"x@example.org\"}"), inserts.get(1).vector(),
                clock++, false));
        for (int i = 8; i < 16; i++) {
            swap.add(bob.next(update.apply("p" + i, "{\"id\":\"p" + i + "\",\"age\":" + (100 + i) + "}"),
                    clean.get(i - 8).vector(), clock++, false));
        }
        try (StandaloneDevice oneByOne = new StandaloneDevice(dir.resolve("one-by-one.db"), List.of("people"),
                System::currentTimeMillis, SCHEMA)) {
            for (StandaloneDevice device : List.of(node, oneByOne)) {
                device.applier().apply(inserts, bob.id());
                device.write("INSERT INTO people (id, email, age) VALUES ('mine', 'taken@example.org', 1)");
                device.write("UPDATE people SET note = 'mine' WHERE id = 'p2'");
            }

            List<List<ApplyOutcome>> outcomes = new ArrayList<>();
            for (List<ChangeEntry> delivery : List.of(clean, mixed, swap)) {
                List<ApplyOutcome> together = node.applier().apply(delivery, bob.id());
                outcomes.add(together);
                List<ApplyOutcome> alone = new ArrayList<>();
                delivery.forEach(g -> alone.addAll(oneByOne.applier().apply(List.of(g), bob.id())));
                assertThat(together).extracting(ApplyOutcome::result)
                        .isEqualTo(alone.stream().map(ApplyOutcome::result).toList());
                assertThat(picture(node)).isEqualTo(picture(oneByOne));
            }

            assertThat(node.jdbc().sql("SELECT id FROM people WHERE email = 'p6@example.org'").query(String.class).single())
                    .isEqualTo("p7");
            assertThat(node.jdbc().sql("SELECT id FROM people WHERE email = 'x@example.org'").query(String.class).single())
                    .isEqualTo("p1");
            assertThat(node.jdbc().sql("SELECT age FROM people WHERE id = 'p3'").query(Long.class).single()).isEqualTo(2);
            assertThat(count("SELECT COUNT(*) FROM people WHERE id = 'p4'")).isZero();
            List<ApplyOutcome> together = outcomes.get(1); // the mixed delivery's
            assertThat(together.get(2).result()).as("made without the local edit").isEqualTo(Result.CONFLICT);
            assertThat(together.get(3).result()).as("the clash, when it came").isEqualTo(Result.HELD);
            assertThat(together.get(3).reason()).isEqualTo(HoldReason.UNIQUE);
            assertThat(together.get(4).result()).as("the later edit, which takes the held insert's place")
                    .isEqualTo(Result.APPLIED);
            assertThat(node.jdbc().sql("SELECT email FROM people WHERE id = 'clash'").query(String.class).list())
                    .containsExactly("free@example.org");
            assertThat(node.held().count()).isEqualTo(oneByOne.held().count());
            assertThat(node.scan().scan(List.of("people"))).allSatisfy(scan -> assertThat(scan.sealed()).isZero());
            assertThat(node.tracker().verify()).isEmpty();
        }
    }

    /** The device's rows, row states and conflicts as text, its own device id replaced by {@code local}. */
    private static String picture(StandaloneDevice device) {
        String rows = String.join("\n", device.jdbc().sql("SELECT id || '|' || COALESCE(email, '') || '|' || COALESCE(age, '')"
                + " || '|' || COALESCE(note, '') FROM people ORDER BY id").query(String.class).list());
        // a vector's origins sorted once the device's own id is replaced, so that two devices' vectors compare
        String states = String.join("\n", device.jdbc().sql("SELECT record_id, vector, origin || '|' || version || '|'"
                + " || deleted || '|' || COALESCE(column_hashes, '') AS rest FROM sync_row_state_view ORDER BY record_id")
                .query((rs, n) -> rs.getString("record_id") + "|" + (rs.getString("vector") == null ? "" : new java.util.TreeMap<>(
                        VersionVector.parse(rs.getString("vector").replace(device.id(), "local")).asMap())) + "|"
                        + rs.getString("rest")).list());
        String conflicts = String.join("\n", device.jdbc().sql("SELECT record_id || '|' || status FROM sync_conflicts"
                + " ORDER BY record_id").query(String.class).list());
        return (rows + "\n--\n" + states + "\n--\n" + conflicts).replace(device.id(), "local");
    }
}
