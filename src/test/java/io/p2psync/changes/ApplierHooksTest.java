package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier's hooks for conflict handling: the stored-entry listener, row access and local writes. */
class ApplierHooksTest {

    private static final String KV = "INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, '2026-01-01T00:00:00Z') "
            + "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;
    private final List<String> heard = new ArrayList<>();

    @BeforeEach
    void start() {
        a = new StandaloneDevice(dir.resolve("a.db"), List.of(), System::currentTimeMillis, List.of());
        b = new StandaloneDevice(dir.resolve("b.db"), List.of(), System::currentTimeMillis, List.of());
        b.addBean("listener", (AppliedEntryListener) (entry, result, rows) -> {
            heard.add(entry.recordId() + ":" + result + ":" + rows.read(entry.table(), entry.recordId()).orElse("-"));
            assertThat(b.clock().last()).isGreaterThanOrEqualTo(entry.hlc());
        });
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private List<ChangeEntry> all(StandaloneDevice d) {
        return d.tracker().missingFrom(VersionVector.EMPTY, 1000);
    }

    @Test
    void listenerHearsEveryStoredEntryAfterItsRowWasDecidedButNotDuplicatesOrRejections() {
        a.write(KV, "x", "1");
        a.write(KV, "y", "2");
        List<ChangeEntry> entries = all(a);
        ChangeEntry tampered = new ChangeEntry(a.id(), 3, entries.get(1).hlc() + 1, 0, "sync_kv", "[\"z\"]", Operation.DELETE,
                Kind.EDIT, null, null, VersionVector.EMPTY, entries.get(1).hash(), entries.get(1).hash(), "c2ln");

        b.applier().apply(List.of(entries.get(0)), a.id());
        b.applier().apply(List.of(entries.get(0), entries.get(1), tampered), a.id());

        assertThat(heard).containsExactly(
                "[\"x\"]:APPLIED:{\"key\":\"x\",\"value\":\"1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}",
                "[\"y\"]:APPLIED:{\"key\":\"y\",\"value\":\"2\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}");
    }

    @Test
    void aResolutionSealedInASavepointThatRollsBackIsNeverAnnounced() {
        // A policy that logs a resolution and then writes a row the table refuses: the entry's savepoint rolls
        // back, the resolution with it. Other devices must never hear of an entry this log does not have.
        StandaloneDevice c = new StandaloneDevice(dir.resolve("c.db"), List.of("notes"), System::currentTimeMillis,
                List.of("CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)"));
        StandaloneDevice d = new StandaloneDevice(dir.resolve("d.db"), List.of("notes"), System::currentTimeMillis,
                List.of("CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)"));
        try {
            d.addBean("policy", (ConcurrentEditPolicy) (remote, local, localRow, rows) ->
                    new ConcurrentEditPolicy.Settled(ConcurrentEditPolicy.Decision.KEEP_LOCAL, r -> {
                        d.tracker().log(new RowChange(remote.table(), remote.recordId(), Operation.UPDATE,
                                Kind.RESOLUTION, SqlValues.encodeRow(localRow), null));
                        r.write(r.state(remote.table(), remote.recordId()).orElseThrow(),
                                "{\"id\":\"n1\",\"title\":null}");
                    }));
            c.write("INSERT INTO notes VALUES ('n1', 'theirs')");
            d.write("INSERT INTO notes VALUES ('n1', 'mine')");

            ApplyOutcome out = d.applier().apply(all(c), c.id()).get(0);

            assertThat(out.reason()).isEqualTo(HoldReason.NOT_NULL);
            assertThat(d.tracker().versionVector().get(d.id())).as("the resolution was rolled back").isEqualTo(1);
            d.write("UPDATE notes SET title = 'mine, later' WHERE id = 'n1'");
            ChangeEntry second = d.tracker().find(new EntryRef(d.id(), 2)).orElseThrow();
            List<ChangeEntry> announced = d.committedEvents().stream()
                    .filter(EntriesStored.class::isInstance).map(EntriesStored.class::cast)
                    .flatMap(e -> e.entries().stream()).filter(e -> e.origin().equals(d.id())).toList();
            assertThat(announced).as("every announced entry of d is in its log, once")
                    .extracting(ChangeEntry::version).containsExactly(1L, 2L);
            assertThat(announced.get(1)).isEqualTo(second);
            assertThat(d.committedEvents().stream().filter(LocalChangesSealed.class::isInstance)
                    .map(LocalChangesSealed.class::cast).mapToLong(LocalChangesSealed::lastVersion))
                    .containsExactly(1L, 2L);
        } finally {
            c.close();
            d.close();
        }
    }

    @Test
    void rowAccessWritesRowAndStateWithoutCapturingAndListsTheRowsEntries() {
        a.write(KV, "x", "1");
        b.addBean("rewriter", (AppliedEntryListener) (entry, result, rows) -> {
            RowState s = rows.state(entry.table(), entry.recordId()).orElseThrow();
            rows.write(new RowState(s.table(), s.recordId(), s.vector(), s.origin(), s.version(), s.hlc(), false, "{}", null),
                    "{\"key\":\"x\",\"value\":\"rewritten\",\"timestamp\":\"2026-01-01T00:00:00Z\"}");
            assertThat(rows.entries(entry.table(), entry.recordId())).containsExactly(entry);
        });

        b.applier().apply(all(a), a.id());

        assertThat(b.jdbc().sql("SELECT value FROM sync_kv WHERE key = 'x'").query(String.class).single()).isEqualTo("rewritten");
        assertThat(b.jdbc().sql("SELECT column_clocks FROM sync_row_state").query(String.class).single()).isEqualTo("{}");
        assertThat(b.tracker().sealPending()).isZero();
        assertThat(b.tracker().count()).isEqualTo(1);
    }

    @Test
    void writeLocalWritesTheRowAndLogsItOnceAsThisDevicesChangeOnTopOfTheRow() {
        a.write(KV, "x", "1");
        ChangeEntry written = a.applier().writeLocal(new RowChange("sync_kv", "[\"x\"]", Operation.UPDATE, Kind.RESOLUTION,
                "{\"key\":\"x\",\"value\":\"settled\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}", null));

        assertThat(written.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(written.version()).isEqualTo(2);
        assertThat(written.base()).isEqualTo(all(a).get(0).vector());
        assertThat(a.jdbc().sql("SELECT value FROM sync_kv WHERE key = 'x'").query(String.class).single()).isEqualTo("settled");
        assertThat(a.tracker().sealPending()).isZero();
        assertThat(a.tracker().count()).isEqualTo(2);
        assertThat(a.tracker().verify()).isEmpty();

        ChangeEntry deleted = a.applier().writeLocal(new RowChange("sync_kv", "[\"x\"]", Operation.DELETE, Kind.RESOLUTION, null, null));
        assertThat(deleted.base()).isEqualTo(written.vector());
        assertThat(a.jdbc().sql("SELECT COUNT(*) FROM sync_kv").query(Long.class).single()).isZero();
        assertThatThrownBy(() -> a.applier().writeLocal(new RowChange("nope", "x", Operation.DELETE, Kind.RESOLUTION, null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not tracked");
    }
}
