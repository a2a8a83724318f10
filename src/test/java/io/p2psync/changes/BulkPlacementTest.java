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
 * A group's fresh inserts are put on their rows in bulk ({@code Placer.insertFresh}); what they leave must be
 * exactly what the per-entry path leaves: the rows, their states with the column hashes of the rows as
 * stored (so neither the scan nor the sealer sees a change nobody made), and on any failure the per-entry
 * path's holds.
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
}
