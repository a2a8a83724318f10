package io.p2psync.bench;

import io.p2psync.P2pSyncApplication;
import io.p2psync.changes.ChangeTracker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Measures local capture: writes/s to {@code sync_kv} through the capture triggers and sealing (hash chain,
 * Ed25519 signature, row state) against the same writes to {@code plain_kv}, an identical table without
 * triggers, in the same run and database file. Two workloads:
 * <ul>
 *   <li>one write per transaction, sealed in that transaction (what {@code PUT /kv/{key}} does);</li>
 *   <li>batches of writes in one transaction, sealed once (what a bulk write by another program costs).</li>
 * </ul>
 * Run: {@code ./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.mainClass=io.p2psync.bench.CaptureBenchmark -Dexec.classpathScope=test} (optional args: writes, batch,
 * warm-up writes per table).
 *
 * <p>Besides writes per second (wall clock) it prints the CPU time the writing thread spent per write. SQLite
 * and the sealer run in that thread, so this covers the whole write but for waits (I/O, the scheduler) and the
 * JVM's own threads (JIT, GC); on a shared machine it moves far less than the wall-clock rate.
 */
public final class CaptureBenchmark {

    private CaptureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        System.out.printf("Local capture benchmark: %d writes, batches of %d, after %d warm-up writes per table, "
                + "SQLite WAL synchronous=NORMAL%n", writes, batch, warmup);
        Figures f = measure(writes, batch, warmup);
        report("one write per transaction", f.singlePlain(), f.singleCaptured());
        report("batches of " + batch, f.batchPlain(), f.batchCaptured());
        System.out.printf("log entries: %d, chain verifies: %s%n", f.entries(), f.verifies());
    }

    /**
     * One run's figures: the same writes to the plain table and to the tracked one, one per transaction and
     * in batches; then how many entries the log holds and whether it verifies.
     */
    record Figures(Rate singlePlain, Rate singleCaptured, Rate batchPlain, Rate batchCaptured, long entries,
                   boolean verifies) {
    }

    /** Runs both workloads on a fresh node in a temporary data dir. */
    static Figures measure(int writes, int batch, int warmup) throws Exception {
        Path dir = Files.createTempDirectory("p2psync-bench");
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(P2pSyncApplication.class)
                .web(WebApplicationType.NONE)
                .run("--p2psync.data-dir=" + dir, "--p2psync.capture-poll=1h", "--p2psync.libp2p.enabled=false", "--logging.level.root=WARN",
                        "--logging.level.io.p2psync=WARN",
                        "--spring.flyway.locations=classpath:db/migration,classpath:db/testmigration")) {
            ChangeTracker tracker = ctx.getBean(ChangeTracker.class);
            Bench bench = new Bench(ctx.getBean(JdbcClient.class), ctx.getBean(TransactionTemplate.class), tracker);
            bench.single("warmup", "plain_kv", warmup, false);
            bench.single("warmup", "sync_kv", warmup, true);
            Rate singlePlain = bench.single("s", "plain_kv", writes, false);
            Rate singleCaptured = bench.single("s", "sync_kv", writes, true);
            Rate batchPlain = bench.batched("b", "plain_kv", writes, batch, false);
            Rate batchCaptured = bench.batched("b", "sync_kv", writes, batch, true);
            return new Figures(singlePlain, singleCaptured, batchPlain, batchCaptured, tracker.count(),
                    tracker.verify().isEmpty());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String workload, Rate plain, Rate captured) {
        System.out.printf("%-28s plain table %8.0f writes/s | sync_kv captured+sealed %8.0f writes/s | ratio %.2f"
                        + " | CPU per write: plain %.0f us, captured %.0f us%n",
                workload, plain.perSecond(), captured.perSecond(), captured.perSecond() / plain.perSecond(),
                plain.cpuMicros(), captured.cpuMicros());
    }

    /** Writes per second of wall clock, and CPU microseconds the writing thread spent per write. */
    record Rate(double perSecond, double cpuMicros) {

        static Rate of(int writes, long startNanos, long startCpuNanos) {
            long cpu = THREADS.getCurrentThreadCpuTime() - startCpuNanos;
            return new Rate(writes / ((System.nanoTime() - startNanos) / 1e9), cpu / 1e3 / writes);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private record Bench(JdbcClient jdbc, TransactionTemplate tx, ChangeTracker tracker) {

        private void write(String table, String key, int i) {
            jdbc.sql("INSERT INTO " + table + " (key, value, timestamp, deleted_at) VALUES (?, ?, ?, NULL) "
                    + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, deleted_at = NULL")
                    .params(key, "value-" + i + "-" + "x".repeat(64), "2026-01-01T00:00:00." + (i % 1000) + "Z")
                    .update();
        }

        /** Writes per second, one transaction per write. */
        Rate single(String prefix, String table, int n, boolean seal) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int k = i;
                tx.executeWithoutResult(s -> {
                    write(table, prefix + (k % 1000), k);
                    if (seal) {
                        tracker.sealPending();
                    }
                });
            }
            return Rate.of(n, start, cpu);
        }

        /** Writes per second, {@code batch} writes per transaction. */
        Rate batched(String prefix, String table, int n, int batch, boolean seal) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < n; i += batch) {
                int from = i;
                tx.executeWithoutResult(s -> {
                    for (int k = from; k < Math.min(n, from + batch); k++) {
                        write(table, prefix + (k % 1000), k);
                    }
                    if (seal) {
                        tracker.sealPending();
                    }
                });
            }
            return Rate.of(n, start, cpu);
        }
    }
}
