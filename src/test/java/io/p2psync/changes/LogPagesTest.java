package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.wire.WireEntry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link ChangeTracker#page}: pages of the log bounded by count and by bytes, on a real SQLite file. The size
 * it counts per entry is never below the entry's JSON in a sync body, a page stays within its budget unless it
 * carries one entry, and an entry above the maximum is named instead of read.
 */
class LogPagesTest {

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, name TEXT, content BLOB)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private StandaloneDevice a;
    private StandaloneDevice b;

    @BeforeEach
    void start() {
        a = new StandaloneDevice(dir.resolve("a.db"), List.of("files"), System::currentTimeMillis, SCHEMA);
        b = new StandaloneDevice(dir.resolve("b.db"), List.of("files"), System::currentTimeMillis, SCHEMA);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void theSizeOfAnEntryIsNeverBelowItsJsonInABody() {
        a.write("INSERT INTO files VALUES ('q', 'a \"quoted\" name with a back\\slash and ünïcödé, ' || char(10), "
                + "randomblob(3000))");
        a.write("INSERT INTO files VALUES ('[\"key\"]', NULL, NULL)");
        a.write("UPDATE files SET name = 'renamed' WHERE id = 'q'");
        a.write("DELETE FROM files WHERE id = 'q'");

        VersionVector mine = a.tracker().versionVector();
        List<ChangeEntry> all = a.tracker().missingFrom(VersionVector.EMPTY, 100);
        assertThat(all).hasSize(4);
        for (ChangeEntry e : all) {
            long json = JSON.writeValueAsBytes(WireEntry.of(e)).length;
            VersionVector before = VersionVector.EMPTY.with(e.origin(), e.version() - 1);
            LogPage alone = a.tracker().page(mine, before, 1, 1, Long.MAX_VALUE);
            assertThat(alone.entries()).containsExactly(e);
            assertThat(alone.bytes()).as("size of %s#%d (%d bytes of JSON)", e.origin(), e.version(), json)
                    .isGreaterThanOrEqualTo(json)
                    .isLessThan(json + 1024);
        }
    }

    @Test
    void aPageStaysWithinItsBudgetButAlwaysCarriesOneEntry() {
        for (int i = 0; i < 6; i++) {
            a.write("INSERT INTO files VALUES (?, 'file', randomblob(100000))", "f" + i); // ~134 KB as JSON
        }
        VersionVector mine = a.tracker().versionVector();
        String origin = a.id();

        LogPage first = a.tracker().page(mine, VersionVector.EMPTY, 100, 300_000, 1_000_000);
        assertThat(first.entries()).hasSize(2);
        assertThat(first.bytes()).isLessThanOrEqualTo(300_000);
        assertThat(first.more()).isTrue();

        LogPage tiny = a.tracker().page(mine, VersionVector.EMPTY, 100, 10, 1_000_000);
        assertThat(tiny.entries()).as("one entry even past the budget").hasSize(1);
        assertThat(tiny.more()).isTrue();

        LogPage counted = a.tracker().page(mine, VersionVector.EMPTY.with(origin, 4), 100, 10_000_000, 1_000_000);
        assertThat(counted.entries()).extracting(ChangeEntry::version).containsExactly(5L, 6L);
        assertThat(counted.more()).isFalse();

        LogPage byCount = a.tracker().page(mine, VersionVector.EMPTY.with(origin, 4), 1, 10_000_000, 1_000_000);
        assertThat(byCount.entries()).extracting(ChangeEntry::version).containsExactly(5L);
        assertThat(byCount.more()).isTrue();
    }

    @Test
    void anEntryAboveTheMaximumIsNamedAndStopsItsOriginOnly() {
        a.write("INSERT INTO files VALUES ('small', 'x', NULL)");
        a.write("INSERT INTO files VALUES ('big', 'x', randomblob(200000))");
        a.write("INSERT INTO files VALUES ('after', 'x', NULL)");
        b.write("INSERT INTO files VALUES ('other', 'x', NULL)");
        b.applier().apply(a.tracker().missingFrom(VersionVector.EMPTY, 1), a.id());

        // b holds a's first entry and its own; it is asked by a device that holds neither.
        VersionVector bMine = b.tracker().versionVector();
        a.applier().apply(b.tracker().missingFrom(a.tracker().versionVector(), 10), b.id());
        VersionVector mine = a.tracker().versionVector();

        LogPage page = a.tracker().page(mine, VersionVector.EMPTY.with(a.id(), 1), 100, 10_000_000, 100_000);
        assertThat(page.entries()).extracting(ChangeEntry::origin).containsExactly(b.id());
        assertThat(page.tooLarge()).singleElement().satisfies(t -> {
            assertThat(t.origin()).isEqualTo(a.id());
            assertThat(t.version()).isEqualTo(2);
            assertThat(t.size()).isGreaterThan(200_000);
        });
        assertThat(page.more()).as("what waits behind a too-large entry is not more").isFalse();
        assertThat(bMine.get(a.id())).isEqualTo(1);
    }

    @Test
    void aGroupCutIntoByteBoundedPagesArrivesWhole() {
        a.write("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
                + " INSERT INTO files SELECT 'g' || i, 'file', randomblob(50000) FROM n");
        VersionVector mine = a.tracker().versionVector();
        VersionVector known = VersionVector.EMPTY;
        int pages = 0;
        while (true) {
            LogPage page = a.tracker().page(mine, known, 100, 150_000, 1_000_000);
            if (page.entries().isEmpty()) {
                break;
            }
            pages++;
            assertThat(b.jdbc().sql("SELECT COUNT(*) FROM files").query(Long.class).single())
                    .as("nothing of the group is on b's rows before its last entry").isZero();
            b.applier().apply(page.entries(), a.id());
            for (ChangeEntry e : page.entries()) {
                known = known.with(e.origin(), e.version());
            }
        }
        assertThat(pages).isGreaterThan(2);
        assertThat(b.jdbc().sql("SELECT group_concat(id || hex(content), ',') FROM (SELECT * FROM files ORDER BY id)")
                .query(String.class).single())
                .isEqualTo(a.jdbc().sql("SELECT group_concat(id || hex(content), ',') FROM (SELECT * FROM files ORDER BY id)")
                        .query(String.class).single());
    }

}
