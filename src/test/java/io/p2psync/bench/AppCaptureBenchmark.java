package io.p2psync.bench;

import com.sun.management.OperatingSystemMXBean;
import io.p2psync.P2pSyncApplication;
import io.p2psync.changes.ChangeTracker;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures capture as an app meets it: the app is another program with its own connection to the file (here a
 * sqlite-jdbc connection the node does not know of, WAL, {@code synchronous=NORMAL}, a busy timeout), writing to
 * a tracked table while the node runs as it always does, sealing what the triggers captured every
 * {@code p2psync.capture-poll} (200 ms) in parts of its own transactions of about 100 ms each. The same writes go to
 * an untracked twin table on the same connection for the baseline.
 *
 * <p>Two rates per workload, both against the plain table's:
 * <ul>
 *   <li><b>the app's</b>: writes/s until the app's last write commits: what capture costs the app itself (the
 *       triggers' capture rows, and waiting for the write lock while the node seals);</li>
 *   <li><b>sealed</b>: writes/s from the first write until the node has sealed the last of them (no capture left,
 *       captures being consumed in the transaction that logs their entries): a burst of writes signed and ready to
 *       travel. It includes the wait for the next capture poll (0 to 200 ms), which is much of it for a burst of
 *       batches the app writes in a fraction of a second; for one write per transaction the sealer keeps up as the
 *       app writes, and the rate is close to what the device sustains.</li>
 * </ul>
 * Each write is an insert of a key of its own, so every write becomes one entry (the sealer would merge repeated
 * writes of one row into one entry, which would flatter it). Each workload runs three times on each table,
 * alternated, the plain table first in the first and third round and second in the other, so neither always meets
 * the garbage, checkpoints and JIT work the other left; the rates are the medians. Besides the rates it prints the process's CPU per write
 * (the app and the node share this JVM, as they share the machine).
 *
 * <p>Run: {@code ./mvnw -q -o test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.p2psync.bench.AppCaptureBenchmark} (optional args: writes, batch,
 * warm-up writes per table).
 */
public final class AppCaptureBenchmark {

    private static final String TRACKED = "app_kv";
    private static final String PLAIN = "app_plain";
    /** Runs per table and workload; the rates printed are their medians. */
    private static final int ROUNDS = 3;
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private AppCaptureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        System.out.printf("App capture benchmark: %d writes by another connection, batches of %d, after %d warm-up "
                + "writes per table and workload%n", writes, batch, warmup);
        Figures f = measure(writes, batch, warmup);
        report("one write per transaction", f.single());
        report("batches of " + batch, f.batched());
        System.out.printf("log entries of %s: %d of %d written, chain verifies: %s%n", TRACKED, f.entries(),
                f.expectedEntries(), f.verifies());
        System.exit(f.entries() == f.expectedEntries() && f.verifies() ? 0 : 1);
    }

    /** One workload's figures: the plain table, the app's own rate on the tracked one, and the sealed rate. */
    record Workload(Rate plain, Rate app, Rate sealed) {
    }

    /**
     * One run: both workloads, the entries the node made for the tracked table, how many the writes should have
     * made, and whether the log verifies.
     */
    record Figures(Workload single, Workload batched, long entries, long expectedEntries, boolean verifies) {
    }

    /** Writes per second of wall clock, and the process's CPU microseconds per write. */
    record Rate(double perSecond, double cpuMicros) {

        static Rate of(int writes, long startNanos, long endNanos, long cpuNanos) {
            return new Rate(writes / ((endNanos - startNanos) / 1e9), cpuNanos / 1e3 / writes);
        }
    }

    /** Runs both workloads on a fresh node in a temporary data dir. */
    static Figures measure(int writes, int batch, int warmup) throws Exception {
        Path dir = Files.createTempDirectory("p2psync-bench");
        Path file = dir.resolve("p2psync.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = app.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
                for (String table : new String[] {TRACKED, PLAIN}) {
                    s.execute("CREATE TABLE " + table + " (key TEXT PRIMARY KEY, value TEXT, timestamp TEXT NOT NULL, "
                            + "deleted_at TEXT)");
                }
            }
            try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(P2pSyncApplication.class)
                    .web(WebApplicationType.NONE)
                    .run("--p2psync.data-dir=" + dir, "--p2psync.tables=" + TRACKED, "--logging.level.root=WARN",
                            "--logging.level.io.p2psync=WARN", "--p2psync.sync.auto=false",
                            "--p2psync.libp2p.enabled=false")) {
                ChangeTracker tracker = ctx.getBean(ChangeTracker.class);
                App bench = new App(app);
                bench.run("w1", PLAIN, warmup, 1);
                bench.run("w1", TRACKED, warmup, 1);
                bench.run("wb", PLAIN, warmup, batch);
                bench.run("wb", TRACKED, warmup, batch);
                Workload single = bench.workload("s", writes, 1);
                Workload batched = bench.workload("b", writes, batch);
                long entries = bench.count("SELECT count(*) FROM sync_log WHERE table_name = '" + TRACKED + "'");
                return new Figures(single, batched, entries, 2L * warmup + 2L * ROUNDS * writes,
                        tracker.verify().isEmpty());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String workload, Workload w) {
        System.out.printf("%-28s plain %8.0f writes/s | tracked, the app's %8.0f writes/s (%.2f of plain) | sealed "
                        + "%8.0f writes/s (%.2f of plain) | process CPU per write: plain %.0f us, tracked and sealed "
                        + "%.0f us%n", workload, w.plain().perSecond(), w.app().perSecond(),
                w.app().perSecond() / w.plain().perSecond(), w.sealed().perSecond(),
                w.sealed().perSecond() / w.plain().perSecond(), w.plain().cpuMicros(), w.sealed().cpuMicros());
    }

    /** The app's rate and the sealed rate of one run of writes (equal for a table nothing seals). */
    private record Run(Rate app, Rate sealed) {
    }

    private record App(Connection db) {

        /**
         * {@link #ROUNDS} runs on each table, alternated so that both meet the same moments of a shared machine;
         * each rate is the median of its runs.
         */
        Workload workload(String prefix, int n, int batch) throws SQLException, InterruptedException {
            List<Run> plain = new ArrayList<>();
            List<Run> tracked = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                if (round % 2 == 0) {
                    plain.add(run(prefix + round, PLAIN, n, batch));
                    tracked.add(run(prefix + round, TRACKED, n, batch));
                } else {
                    tracked.add(run(prefix + round, TRACKED, n, batch));
                    plain.add(run(prefix + round, PLAIN, n, batch));
                }
            }
            return new Workload(median(plain.stream().map(Run::app).toList()),
                    median(tracked.stream().map(Run::app).toList()), median(tracked.stream().map(Run::sealed).toList()));
        }

        private static Rate median(List<Rate> rates) {
            return rates.stream().sorted(Comparator.comparingDouble(Rate::perSecond)).toList().get(rates.size() / 2);
        }

        /**
         * Writes {@code n} rows of fresh keys, {@code batch} per transaction; for the tracked table waits until the
         * node has sealed every capture.
         */
        Run run(String prefix, String table, int n, int batch) throws SQLException, InterruptedException {
            long cpu = OS.getProcessCpuTime();
            long start = System.nanoTime();
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + table
                    + " (key, value, timestamp, deleted_at) VALUES (?, ?, ?, NULL)")) {
                for (int i = 0; i < n; i += batch) {
                    db.setAutoCommit(batch == 1);
                    for (int k = i; k < Math.min(n, i + batch); k++) {
                        insert.setString(1, prefix + "-" + k);
                        insert.setString(2, "value-" + k + "-" + "x".repeat(64));
                        insert.setString(3, "2026-01-01T00:00:00." + (k % 1000) + "Z");
                        insert.executeUpdate();
                    }
                    if (batch != 1) {
                        db.commit();
                    }
                }
                db.setAutoCommit(true);
            }
            long written = System.nanoTime();
            long writtenCpu = OS.getProcessCpuTime() - cpu;
            if (table.equals(PLAIN)) {
                Rate r = Rate.of(n, start, written, writtenCpu);
                return new Run(r, r);
            }
            while (count("SELECT EXISTS (SELECT 1 FROM sync_capture)") != 0) {
                Thread.sleep(2);
            }
            long sealed = System.nanoTime();
            return new Run(Rate.of(n, start, written, writtenCpu), Rate.of(n, start, sealed, OS.getProcessCpuTime() - cpu));
        }

        long count(String sql) throws SQLException {
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
