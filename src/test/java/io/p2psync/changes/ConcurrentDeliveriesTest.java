package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Two deliveries of the same origin's entries at once, as a pull page and a relay by another peer can be: the
 * applier writes in parts with turns for other writers between them, so each delivery's later parts meet
 * entries the other stored meanwhile. They must come out as duplicates, never as an error that fails the
 * round.
 */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ConcurrentDeliveriesTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.tables", () -> "notes");
        registry.add("p2psync.capture.assigned-keys", () -> "notes");
        registry.add("p2psync.capture-poll", () -> "1h");
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/testmigration");
    }

    @Autowired
    RemoteChangeApplier applier;
    @Autowired
    JdbcClient jdbc;

    /**
     * Whether the two deliveries interleave is up to the lock and the scheduler: on a loaded machine one may take
     * every turn. Each try must end consistent; up to three tries (each with a new origin and new rows) give
     * the interleaving the test is about at least one chance to happen, and it must happen in one of them.
     */
    @Test
    void twoDeliveriesOfTheSameEntriesAtOnceEndWithEachEntryStoredOnce() throws Exception {
        applier.partTime = java.time.Duration.ZERO; // one entry per part: each delivery pauses after every entry
        try {
            boolean interleaved = false;
            for (int attempt = 0; attempt < 3 && !interleaved; attempt++) {
                interleaved = deliverTwiceAtOnce(100_000 + attempt * 1_000);
            }
            assertThat(interleaved).as("the two deliveries interleaved in one of three tries: each stored part of the entries")
                    .isTrue();
        } finally {
            applier.partTime = RemoteChangeApplier.PART_TIME;
        }
    }

    /** Delivers 300 entries of a new origin twice at once, checks the end state, and says whether they interleaved. */
    private boolean deliverTwiceAtOnce(int firstId) throws Exception {
        RemoteDevice bob = new RemoteDevice();
        List<ChangeEntry> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int id = firstId + i;
            entries.add(bob.next(RemoteDevice.upsert("notes", "[" + id + "]", "{\"id\":" + id + ",\"title\":\"n" + id
                    + "\",\"body\":null}"), VersionVector.EMPTY, (1L << 40) + i, i % 10 != 9));
        }

        // two threads of their own (the common pool has one worker on two cores), started together
        java.util.concurrent.ExecutorService deliveries = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        List<ApplyOutcome> a;
        List<ApplyOutcome> b;
        try {
            java.util.concurrent.Callable<List<ApplyOutcome>> deliver = () -> {
                start.await();
                return applier.apply(entries, bob.id());
            };
            var first = deliveries.submit(deliver);
            var second = deliveries.submit(deliver);
            a = first.get(120, TimeUnit.SECONDS);
            b = second.get(120, TimeUnit.SECONDS);
        } finally {
            deliveries.shutdownNow();
        }

        for (List<ApplyOutcome> outcomes : List.of(a, b)) {
            assertThat(outcomes).hasSize(entries.size());
            Map<Result, Long> counts = outcomes.stream()
                    .collect(Collectors.groupingBy(ApplyOutcome::result, TreeMap::new, Collectors.counting()));
            // STAGED: an entry this delivery stored whose group the other delivery placed
            assertThat(counts.keySet()).as("outcomes of one delivery: %s", counts)
                    .isSubsetOf(Result.APPLIED, Result.DUPLICATE, Result.STAGED);
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_log_view WHERE device_id = ?").param(bob.id()).query(Long.class).single())
                .isEqualTo(300L);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM notes WHERE id >= ? AND id < ?").params(firstId, firstId + 300)
                .query(Long.class).single()).isEqualTo(300L);
        return List.of(a, b).stream().allMatch(outcomes -> outcomes.stream().anyMatch(o -> o.result() == Result.APPLIED));
    }
}
