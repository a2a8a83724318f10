package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.HoldReason;
import io.p2psync.changes.StandaloneDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conflicts as the applier and the resolver settle them together, on real SQLite files: causality before
 * clocks, merge by default, identical rows, UNIQUE clashes, foreign keys and rowid collisions (issues 11, 12).
 */
class ApplyConflictsTest {

    private static final long START = 1_750_000_000_000L;
    private static final long DAYS = 3 * 24 * 3_600_000L;
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, body TEXT, rating INTEGER)",
            "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT UNIQUE)",
            "CREATE TABLE IF NOT EXISTS books (id TEXT PRIMARY KEY, name TEXT)",
            "CREATE TABLE IF NOT EXISTS pages (id TEXT PRIMARY KEY, book TEXT REFERENCES books(id) ON DELETE CASCADE)",
            "CREATE TABLE IF NOT EXISTS folders (id INTEGER PRIMARY KEY, name TEXT)");
    private static final List<String> TABLES = List.of("notes", "users", "books", "pages", "folders");

    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(START);
    private final List<Dev> devices = new ArrayList<>();

    /** A device with the real resolver. */
    private final class Dev {
        final StandaloneDevice node;
        final ConflictRepository conflicts;
        final ConflictResolver resolver;

        Dev(String name, ConflictSettings settings, LongSupplier clock, List<String> extraSchema) {
            List<String> schema = new ArrayList<>(extraSchema);
            schema.addAll(SCHEMA);
            node = new StandaloneDevice(dir.resolve(name + ".db"), TABLES, clock, schema);
            conflicts = new ConflictRepository(node.jdbc());
            resolver = new ConflictResolver(settings, conflicts, node.tracker(), node.applier(), node.tables(), node.tx());
            node.addBean("resolver", resolver);
            devices.add(this);
        }

        void write(String sql, Object... params) {
            node.write(sql, params);
        }

        List<ApplyOutcome> pull(Dev from) {
            return node.applier().apply(from.node.tracker().missingFrom(node.tracker().versionVector(), ChangeTracker.MAX_PAGE),
                    from.node.id());
        }

        List<Map<String, Object>> rows(String sql) {
            return node.jdbc().sql(sql).query().listOfRows();
        }

        List<Conflict> conflicts() {
            return conflicts.find(null, null, 0, 1000).items();
        }

        List<Conflict> pending() {
            return conflicts.find(ConflictStatus.PENDING, null, 0, 1000).items();
        }

        ChangeEntry last() {
            List<ChangeEntry> all = node.tracker().missingFrom(io.p2psync.changes.VersionVector.EMPTY, ChangeTracker.MAX_PAGE);
            return all.stream().filter(e -> e.origin().equals(node.id())).reduce((x, y) -> y).orElseThrow();
        }
    }

    private Dev dev(String name) {
        return new Dev(name, ConflictSettings.defaults(), wall::get, List.of());
    }

    @AfterEach
    void close() {
        devices.forEach(d -> d.node.close());
    }

    @Test
    void aChangeMadeOnTopOfAnotherWinsInEveryArrivalOrderEvenAgainstAClockDaysAhead() {
        for (ConflictPolicy policy : List.of(ConflictPolicy.TIMESTAMP, ConflictPolicy.MERGE)) {
            ConflictSettings settings = ConflictSettings.everywhere(policy);
            Dev ahead = new Dev("ahead-" + policy, settings, () -> wall.get() + DAYS, List.of());
            Dev b = new Dev("b-" + policy, settings, wall::get, List.of());
            Dev c = new Dev("c-" + policy, settings, wall::get, List.of());
            ahead.write("INSERT INTO notes (id, body) VALUES ('n', 'x')");
            ChangeEntry x = ahead.last();
            c.write("INSERT INTO notes (id, body) VALUES ('n', 'y')");
            ChangeEntry y = c.last();
            b.pull(ahead);
            wall.addAndGet(5);
            b.write("UPDATE notes SET body = 's' WHERE id = 'n'");
            ChangeEntry s = b.last();

            List<List<ChangeEntry>> orders = List.of(List.of(x, s, y), List.of(x, y, s), List.of(s, x, y),
                    List.of(s, y, x), List.of(y, x, s), List.of(y, s, x));
            int i = 0;
            for (List<ChangeEntry> order : orders) {
                Dev d = new Dev("d" + i++ + "-" + policy, settings, wall::get, List.of());
                order.forEach(e -> d.node.applier().apply(List.of(e), b.node.id()));
                assertThat(d.rows("SELECT body FROM notes")).as(policy + " " + i).containsExactly(Map.of("body", "s"));
            }
        }
    }

    @Test
    void concurrentEditsOfDifferentColumnsBothSurviveByDefault() {
        Dev a = dev("a");
        Dev b = dev("b");
        a.write("INSERT INTO notes (id, body, rating) VALUES ('n', 'b0', 1)");
        b.pull(a);
        a.write("UPDATE notes SET body = 'b1' WHERE id = 'n'");
        b.write("UPDATE notes SET rating = 5 WHERE id = 'n'");
        a.pull(b);
        b.pull(a);
        for (Dev d : List.of(a, b)) {
            assertThat(d.rows("SELECT body, rating FROM notes")).containsExactly(Map.of("body", "b1", "rating", 5));
        }
    }

    @Test
    void aMergedConflictKeepsTheValueOfAColumnThisDeviceLacksUntilTheColumnIsAdded() {
        Dev a = dev("a");
        // b runs an older version of the app: its notes table has no rating column yet
        Dev b = new Dev("b", ConflictSettings.defaults(), wall::get,
                List.of("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)"));
        a.write("INSERT INTO notes (id, body, rating) VALUES ('n', 'b0', 1)");
        b.pull(a);
        a.write("UPDATE notes SET rating = 4 WHERE id = 'n'");
        ChangeEntry rating = a.last();
        b.write("UPDATE notes SET body = 'b1' WHERE id = 'n'");

        assertThat(b.pull(a)).extracting(ApplyOutcome::result).containsExactly(ApplyOutcome.Result.CONFLICT);
        assertThat(b.node.held().find(io.p2psync.changes.EntryRef.of(rating))).as("the rating waits for b's schema")
                .hasValueSatisfying(h -> {
                    assertThat(h.reason()).isEqualTo(HoldReason.MISSING_COLUMN);
                    assertThat(h.partial()).isTrue();
                });

        b.node.jdbc().sql("ALTER TABLE notes ADD COLUMN rating INTEGER").update();
        b.node.followSchema();
        a.pull(b);
        for (Dev d : List.of(a, b)) {
            assertThat(d.rows("SELECT body, rating FROM notes")).as(d.node.id())
                    .containsExactly(Map.of("body", "b1", "rating", 4));
        }
        assertThat(b.node.held().count()).isZero();
    }

    @Test
    void aResolutionLoggedWhileApplyingRecordsTheRowAsItStandsSoTheScanFindsNoPhantomChange() {
        ConflictSettings remoteWins = ConflictSettings.everywhere(ConflictPolicy.REMOTE);
        // a's notes have no rating column: its row data leaves rating out, b's row keeps its own rating
        Dev a = new Dev("a", remoteWins, wall::get, List.of("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)"));
        Dev b = new Dev("b", remoteWins, wall::get, List.of());
        b.write("INSERT INTO notes (id, body, rating) VALUES ('n', 'mine', 3)");
        a.write("INSERT INTO notes (id, body) VALUES ('n', 'theirs')");

        assertThat(b.pull(a)).extracting(ApplyOutcome::result).containsExactly(ApplyOutcome.Result.CONFLICT);
        assertThat(b.last().kind()).isEqualTo(io.p2psync.changes.Kind.RESOLUTION);
        assertThat(b.rows("SELECT body, rating FROM notes")).containsExactly(Map.of("body", "theirs", "rating", 3));

        String hashes = b.node.jdbc().sql("SELECT column_hashes FROM sync_row_state WHERE table_name = 'notes'")
                .query(String.class).single();
        assertThat(hashes).isEqualTo(io.p2psync.changes.RowHashes.of(
                b.node.jdbc().sql("SELECT * FROM notes").query().singleRow()));
        assertThat(b.node.scan().scan(List.of("notes")).get(0).sealed()).as("nothing changed since").isZero();
    }

    @Test
    void identicalRowsOnTwoDevicesRaiseNoConflict() {
        Dev a = dev("a");
        Dev b = dev("b");
        a.write("INSERT INTO notes (id, body, rating) VALUES ('n', 'same', 1)");
        b.write("INSERT INTO notes (id, body, rating) VALUES ('n', 'same', 1)");
        a.pull(b);
        b.pull(a);
        assertThat(a.conflicts()).isEmpty();
        assertThat(b.conflicts()).isEmpty();
    }

    @Test
    void aFailingWriteLeavesNoConflictRowRoundAfterRound() {
        Dev a = dev("a");
        Dev b = new Dev("b", ConflictSettings.defaults(), () -> wall.get() - 1000,
                List.of("CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, body TEXT CHECK (length(body) < 5), rating INTEGER)"));
        b.write("INSERT INTO notes (id, body) VALUES ('n', 'b')");
        a.write("INSERT INTO notes (id, body) VALUES ('n', 'far too long')");
        List<ApplyOutcome> out = b.pull(a);
        assertThat(out).extracting(ApplyOutcome::reason).containsExactly(HoldReason.CHECK);
        b.node.applier().retryHeld(true);
        b.pull(a);
        assertThat(b.conflicts()).isEmpty();
        assertThat(b.rows("SELECT body FROM notes")).containsExactly(Map.of("body", "b"));
    }

    @Test
    void aUniqueClashBetweenDevicesIsAPendingConflictAndLaterChangesKeepFlowing() {
        Dev a = dev("a");
        Dev b = dev("b");
        a.write("INSERT INTO users (id, email) VALUES ('u1', 'e@x')");
        b.write("INSERT INTO users (id, email) VALUES ('u2', 'e@x')");
        a.write("INSERT INTO notes (id, body) VALUES ('later', 'flows')");

        assertThat(b.pull(a)).extracting(ApplyOutcome::result)
                .containsExactly(ApplyOutcome.Result.HELD, ApplyOutcome.Result.APPLIED);
        a.pull(b);
        assertThat(b.rows("SELECT body FROM notes")).containsExactly(Map.of("body", "flows"));
        for (Dev d : List.of(a, b)) {
            assertThat(d.pending()).singleElement().satisfies(c -> {
                assertThat(c.kind()).isEqualTo(ConflictKind.UNIQUE);
                assertThat(c.local().data()).contains("e@x");
                assertThat(c.remote().data()).contains("e@x");
            });
        }

        // A person keeps a's row: the other row goes, the held entry applies on b and its conflict closes.
        a.resolver.resolve(a.pending().get(0).id(), ResolutionStrategy.LOCAL);
        b.pull(a);
        a.pull(b);
        for (Dev d : List.of(a, b)) {
            assertThat(d.rows("SELECT id FROM users")).containsExactly(Map.of("id", "u1"));
            assertThat(d.pending()).isEmpty();
            assertThat(d.node.held().count()).isZero();
        }
    }

    @Test
    void aRemoteDeleteNeverCascadesHereAndAChildLeftWithoutItsParentIsAConflict() {
        Dev laptop = dev("laptop");
        Dev phone = dev("phone");
        laptop.write("INSERT INTO books (id, name) VALUES ('b1', 'book')");
        laptop.write("INSERT INTO pages (id, book) VALUES ('p1', 'b1')");
        phone.pull(laptop);
        // the app on the laptop deletes with foreign keys on: its cascade deletes p1 and is captured
        laptop.node.jdbc().sql("PRAGMA foreign_keys = ON").update();
        laptop.write("DELETE FROM books WHERE id = 'b1'");
        laptop.node.jdbc().sql("PRAGMA foreign_keys = OFF").update();
        phone.write("INSERT INTO pages (id, book) VALUES ('p2', 'b1')");

        phone.pull(laptop);
        laptop.pull(phone);

        for (Dev d : List.of(laptop, phone)) {
            assertThat(d.rows("SELECT id FROM pages")).containsExactly(Map.of("id", "p2"));
            assertThat(d.pending()).singleElement().satisfies(c -> {
                assertThat(c.kind()).isEqualTo(ConflictKind.ORPHAN);
                assertThat(c.table()).isEqualTo("pages");
            });
        }
    }

    @Test
    void twoInsertsUnderOneSqliteAssignedKeyArePendingAndKeepBothRows() {
        Dev a = new Dev("a", ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP), wall::get, List.of());
        Dev b = new Dev("b", ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP), wall::get, List.of());
        a.write("INSERT INTO folders (name) VALUES ('laptop')");
        b.write("INSERT INTO folders (name) VALUES ('phone')");
        a.pull(b);
        b.pull(a);
        assertThat(a.rows("SELECT name FROM folders")).containsExactly(Map.of("name", "laptop"));
        assertThat(b.rows("SELECT name FROM folders")).containsExactly(Map.of("name", "phone"));
        assertThat(a.pending()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.KEY_COLLISION);
            assertThat(c.remote().data()).contains("phone");
        });

        a.resolver.resolve(a.pending().get(0).id(), ResolutionStrategy.KEEP_BOTH);
        b.pull(a);
        a.pull(b);
        for (Dev d : List.of(a, b)) {
            assertThat(d.rows("SELECT id, name FROM folders ORDER BY id"))
                    .containsExactly(Map.of("id", 1, "name", "laptop"), Map.of("id", 2, "name", "phone"));
        }
        assertThat(a.pending()).isEmpty();
        assertThat(b.pending()).isEmpty();
    }
}
