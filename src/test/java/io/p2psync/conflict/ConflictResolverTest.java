package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two devices on real SQLite files edit the same row without seeing each other, then exchange. */
class ConflictResolverTest {

    private static final long START = 1_750_000_000_000L;
    private static final String KV = "INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, '2026-01-01T00:00:00Z') "
            + "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(START);
    private Device a;
    private Device b;

    private void start(ConflictSettings settings) {
        a = new Device("a", dir.resolve("a.db"), settings, wall::get);
        b = new Device("b", dir.resolve("b.db"), settings, wall::get);
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
            b.close();
        }
    }

    /** Both devices see the key created by a, then each changes it; b writes later. */
    private void concurrentValues() {
        a.write(KV, "k", "v0");
        b.pull(a);
        wall.addAndGet(10);
        a.write(KV, "k", "from-a");
        wall.addAndGet(10);
        b.write(KV, "k", "from-b");
    }

    private void exchange() {
        for (int round = 0; round < 5; round++) {
            long got = b.pull(a) + a.pull(b);
            if (got == 0) {
                return;
            }
        }
    }

    private String value(Device d) {
        return d.rows("sync_kv").stream().filter(r -> r.get("key").equals("k")).map(r -> (String) r.get("value"))
                .findFirst().orElse(null);
    }

    @Test
    void timestampKeepsTheLaterEditOnBothDevicesAndRecordsTheConflict() {
        start(ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP));
        concurrentValues();
        exchange();

        assertThat(value(a)).isEqualTo("from-b");
        assertThat(value(b)).isEqualTo("from-b");
        Conflict onA = a.conflicts.find(null, "sync_kv", 0, 10).items().get(0);
        assertThat(onA.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(onA.local().data()).contains("from-a");
        assertThat(onA.remote().data()).contains("from-b");
        assertThat(onA.remote().deviceId()).isEqualTo(b.id());
        assertThat(onA.resolution()).isEqualTo("timestamp: remote is later");
    }

    @Test
    void localKeepsEachDevicesOwnValueUntilTheirResolutionsMeetThenTheLaterOneWins() {
        start(ConflictSettings.everywhere(ConflictPolicy.LOCAL));
        concurrentValues();
        a.pull(b); // a keeps from-a and logs a resolution
        assertThat(value(a)).isEqualTo("from-a");
        ChangeEntry last = a.missingAt(b).get(a.missingAt(b).size() - 1);
        assertThat(last.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(last.base().get(b.id())).isPositive();

        exchange();

        // b kept its own value and wrote its own resolution; the two resolutions settle by timestamp
        assertThat(value(b)).isEqualTo(value(a)).isIn("from-a", "from-b");
        assertThat(a.conflicts.find(null, null, 0, 10).items()).extracting(Conflict::resolution)
                .contains("local");
    }

    @Test
    void remoteTakesTheIncomingValueAndSpreadsIt() {
        start(ConflictSettings.everywhere(ConflictPolicy.REMOTE));
        concurrentValues();
        a.pull(b);
        assertThat(value(a)).isEqualTo("from-b");
        exchange();
        assertThat(value(b)).isEqualTo(value(a));
    }

    @Test
    void mergeKeepsColumnsChangedOnOneSideOnly() {
        start(new ConflictSettings(ConflictPolicy.TIMESTAMP, Map.of(Device.ITEMS, ConflictPolicy.MERGE)));
        a.write("INSERT INTO items (id, title, qty, note) VALUES (1, 'pens', 1, 'n')");
        b.pull(a);
        wall.addAndGet(10);
        a.write("UPDATE items SET title = 'blue pens' WHERE id = 1");
        wall.addAndGet(10);
        b.write("UPDATE items SET qty = 5, note = 'b' WHERE id = 1");
        wall.addAndGet(10);
        a.write("UPDATE items SET note = 'a' WHERE id = 1");

        exchange();

        Map<String, Object> expected = Map.of("id", 1, "title", "blue pens", "qty", 5, "note", "a");
        assertThat(a.rows(Device.ITEMS)).containsExactly(expected);
        assertThat(b.rows(Device.ITEMS)).containsExactly(expected);
    }

    @Test
    void deleteLaterThanAConcurrentUpdateLeavesATombstoneAndAnOldInsertDoesNotBringItBack() {
        start(ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP));
        a.write(KV, "k", "v0");
        b.pull(a);
        wall.addAndGet(10);
        a.write(KV, "k", "updated");
        wall.addAndGet(10);
        b.write("DELETE FROM sync_kv WHERE key = 'k'");

        exchange();
        // the first insert arrives again, as from a relay: it is known, so the row stays deleted
        Device c = new Device("c", dir.resolve("c.db"), ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP), wall::get);
        try (c) {
            c.pull(b);
            assertThat(value(c)).isNull();
            a.receive(a.missingAt(c), a); // duplicates
            assertThat(value(a)).isNull();
        }
        assertThat(value(b)).isNull();
    }

    @Test
    void manualKeepsLocalUntilAPersonResolvesThenTheResolutionClosesTheOtherDevicesConflict() {
        start(ConflictSettings.everywhere(ConflictPolicy.MANUAL));
        concurrentValues();
        exchange();
        assertThat(value(a)).isEqualTo("from-a");
        assertThat(value(b)).isEqualTo("from-b");
        Conflict pending = a.pending().get(0);
        assertThat(b.pending()).hasSize(1);

        Conflict resolved = a.resolver.resolve(pending.id(), ResolutionStrategy.REMOTE);
        assertThat(resolved.status()).isEqualTo(ConflictStatus.RESOLVED);
        exchange();

        assertThat(value(a)).isEqualTo("from-b");
        assertThat(value(b)).isEqualTo("from-b");
        assertThat(b.pending()).isEmpty();
        assertThat(a.pending()).isEmpty();
        assertThatThrownBy(() -> a.resolver.resolve(pending.id(), ResolutionStrategy.LOCAL))
                .isInstanceOf(ConflictNotPendingException.class);
    }

    @Test
    void handWrittenResolutionFillsLeftOutColumnsAndRejectsUnknownOnes() {
        start(ConflictSettings.everywhere(ConflictPolicy.MANUAL));
        a.write("INSERT INTO items (id, title, qty) VALUES (7, 'cups', 1)");
        b.pull(a);
        a.write("UPDATE items SET qty = 2 WHERE id = 7");
        wall.addAndGet(5);
        b.write("UPDATE items SET qty = 3 WHERE id = 7");
        exchange();
        Conflict pending = a.pending().get(0);

        assertThatThrownBy(() -> a.resolver.resolveWith(pending.id(), "{\"colour\":\"red\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> a.resolver.resolveWith(pending.id(), "{\"id\":8}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another row");
        a.resolver.resolveWith(pending.id(), "{\"qty\":5}");
        exchange();

        Map<String, Object> expected = new java.util.HashMap<>(Map.of("id", 7, "title", "cups", "qty", 5));
        expected.put("note", null);
        assertThat(a.rows(Device.ITEMS)).containsExactly(expected);
        assertThat(b.rows(Device.ITEMS)).containsExactly(expected);
        assertThat(b.pending()).isEmpty();
    }

    @Test
    void aDeviceThatSawAClockAnHourAheadWritesLaterThanIt() {
        AtomicLong skewed = new AtomicLong(START + 3_600_000);
        a = new Device("a", dir.resolve("a.db"), ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP), wall::get);
        b = new Device("b", dir.resolve("b.db"), ConflictSettings.everywhere(ConflictPolicy.TIMESTAMP), skewed::get);
        b.write(KV, "k", "from-the-future");
        a.pull(b);
        wall.addAndGet(10);
        a.write(KV, "k", "later-here");   // made after seeing b's entry: a plain successor anyway
        wall.addAndGet(10);
        b.write(KV, "k2", "unrelated");
        a.write(KV, "k", "later-again");
        skewed.addAndGet(5);
        b.write(KV, "k", "concurrent-from-the-future");  // b has not seen a's edits: concurrent

        exchange();

        // b's clock is still an hour ahead, so its concurrent edit wins: but a's edits are after b's first one
        ChangeEntry aLast = a.node.tracker().missingFrom(io.p2psync.changes.VersionVector.EMPTY, 100).stream()
                .filter(e -> e.origin().equals(a.id())).reduce((x, y) -> y).orElseThrow();
        assertThat(aLast.hlc()).isGreaterThan(io.p2psync.identity.HybridLogicalClock.pack(START + 3_600_000, 0));
        assertThat(value(a)).isEqualTo(value(b));
    }

    @Test
    void theSameValueWrittenOnBothSidesIsNoConflict() {
        start(ConflictSettings.everywhere(ConflictPolicy.MANUAL));
        a.write(KV, "k", "v0");
        b.pull(a);
        a.write(KV, "k", "same");
        wall.addAndGet(10);
        b.write(KV, "k", "same");

        exchange();

        assertThat(a.pending()).isEmpty();
        assertThat(b.pending()).isEmpty();
        assertThat(a.conflicts.find(null, null, 0, 10).total()).isZero();
        assertThat(value(a)).isEqualTo(value(b)).isEqualTo("same");
    }
}
