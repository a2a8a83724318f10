package io.p2psync.bench;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.Operation;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * REST sync benchmark (docs/benchmarks.md, "REST sync"): two real nodes in this JVM talking HTTP on
 * loopback, each on its own SQLite file.
 *
 * <ol>
 *   <li>initial sync of N kv rows from A to an empty B, in rows/s, beside the rate of inserting the same
 *       rows into a plain SQLite table in batches, in the same run;</li>
 *   <li>incremental sync of 1,000 changed rows in that N-row database, in ms: the rows changed in one app
 *       transaction (one group), then the same rows changed one per app transaction (1,000 groups, each with its
 *       own signature, as a person's edits or {@code PUT /kv} make them);</li>
 *   <li>a sync with nothing to do, against databases of each size given, in ms (median of 100, after 300).</li>
 * </ol>
 *
 * Arguments: {@code [rows=100000] [no-op sizes=10000,100000,1000000 | none]}; system property
 * {@code bench.node} adds node settings, e.g. {@code -Dbench.node=p2psync.sync.pull-page-size=1000}.
 */
public final class RestSyncBenchmark {

    private static final int CHANGED = 1_000;
    /** Rows of the warm-up round ({@code -Dbench.warmup=N}, 0 for none). */
    private static final int WARMUP_ROWS = Integer.getInteger("bench.warmup", 30_000);
    /**
     * Rounds with nothing to do measured per database size ({@code -Dbench.noop-runs=N}); the median is given. 2,000,
     * so that the rounds measured in turn are those of a node whose code is compiled: with 100, the JIT compiler was
     * still at work in them and took about half of the process CPU (the first median printed still shows that).
     */
    private static final int NO_OP_RUNS = Integer.getInteger("bench.noop-runs", 2_000);
    /** Incremental rounds measured ({@code -Dbench.incremental-runs=N}), each after the same rows changed again; the median is given. */
    private static final int INCREMENTAL_RUNS = Integer.getInteger("bench.incremental-runs", 5);
    /** Rounds with nothing to do run before those measured. */
    private static final int NO_OP_WARMUP = 300;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int[] sizes = sizes(args.length > 1 ? args[1] : "10000,100000,1000000");
        List<String> report = new ArrayList<>();
        run(rows, sizes, line -> {
            System.out.println("[bench] " + line); // as it comes, in case a later step fails
            report.add(line);
        });
        System.out.println();
        System.out.println("REST sync benchmark, " + Runtime.getRuntime().availableProcessors() + " cpus, Java "
                + System.getProperty("java.version") + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB, load average at end " + loadAverage());
        report.forEach(System.out::println);
        System.exit(0);
    }

    /** {@code none} or comma-separated database sizes for the no-op rounds. */
    static int[] sizes(String arg) {
        return arg.equals("none") ? new int[0] : Arrays.stream(arg.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** CPU ns of every live thread, by name (threads of one pool summed). */
    private static Map<String, Long> threadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            var info = mx.getThreadInfo(id);
            long ns = mx.getThreadCpuTime(id);
            if (info != null && ns > 0) {
                cpu.merge(info.getThreadName().replaceAll("\\d+", "N"), ns, Long::sum);
            }
        }
        return cpu;
    }

    private static String perRound(Map<String, Long> before, Map<String, Long> after, int rounds) {
        return perRound(before, after, rounds, 0.5);
    }

    /** CPU ms per round of each thread that spent at least {@code least} ms a round. */
    private static String perRound(Map<String, Long> before, Map<String, Long> after, int rounds, double least) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e6 / rounds))
                .filter(e -> e.getValue() >= least)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static String runs(double[] wall) {
        return java.util.Arrays.stream(wall).mapToObj(w -> String.format("%.0f", w))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * What one run measured.
     *
     * @param rawRate          rows/s of the plain batched insert of the same rows
     * @param initialSeconds   B's first round with A, which pulls every row
     * @param initialCpu       process CPU seconds of that round (both nodes)
     * @param initialJit       the JIT compiler's part of that CPU, in seconds
     * @param incrementalMs    B's round after {@value #CHANGED} rows changed on A
     * @param incrementalCpuMs process CPU of that round
     * @param singlesMs        B's round after the same rows changed one per app transaction, each a group of its own
     * @param noOp             per database size: the median ms of a round with nothing to do ({@code POST /sync/now}),
     *                         its process CPU ms, the JIT compiler's part of that CPU, then the median ms and process
     *                         CPU ms of the same round run three ways in turn: {@code /sync/now}, in B's process
     *                         through its scheduler, and {@code SyncManager.syncWith} alone
     */
    record Figures(int rows, double rawRate, double initialSeconds, double initialCpu, double initialJit, double incrementalMs,
                   double incrementalCpuMs, double singlesMs, Map<Integer, double[]> noOp) {

        double initialRate() {
            return rows / initialSeconds;
        }
    }

    /** Runs the three measurements, telling {@code report} each figure as it comes. */
    static Figures run(int rows, int[] sizes, java.util.function.Consumer<String> report) throws Exception {
        Path work = Files.createTempDirectory("p2psync-bench");
        double rawRate = rawInsertRate(work.resolve("raw.db"), rows);
        report.accept(String.format("raw SQLite batch insert of %,d rows: %,.0f rows/s", rows, rawRate));
        double seconds;
        double cpuSeconds;
        double jitSeconds;
        double millis;
        double cpuMillis;
        double singlesMillis;
        if (WARMUP_ROWS > 0) {
            // The same round once on a pair of throwaway nodes first, so the figures are those of a running
            // node, not of the JIT compiling the whole sync path (a cold first round is printed for reference).
            try (Node a = Node.start("warm-a", work.resolve("warm-a"), nodeProperties("p2psync.capture-poll=1h"));
                 Node b = Node.start("warm-b", work.resolve("warm-b"), nodeProperties())) {
                writeRows(a, WARMUP_ROWS, "v1");
                a.pairWith(b);
                b.pairWith(a);
                long start = System.nanoTime();
                check(syncNow(b, a), WARMUP_ROWS, b, WARMUP_ROWS);
                report.accept(String.format("warm-up: initial sync of %,d rows on a cold JVM: %,.0f rows/s", WARMUP_ROWS,
                        WARMUP_ROWS / ((System.nanoTime() - start) / 1e9)));
                writeRows(a, Math.min(CHANGED, WARMUP_ROWS), "v2");
                syncNow(b, a);
            }
        }
        // A's capture poller is slowed right down: the rows are sealed by one explicit call instead, so the
        // set-up does not fight the poller for the write lock (this benchmark is about sync, not capture).
        try (Node a = Node.start("a", work.resolve("a"), nodeProperties("p2psync.capture-poll=1h"))) {
            long t0 = System.nanoTime();
            writeRows(a, rows, "v1");
            report.accept(String.format("capture+seal of %,d rows on A (setup, not sync): %.1f s", rows,
                    (System.nanoTime() - t0) / 1e9));
            try (Node b = Node.start("b", work.resolve("b"), nodeProperties())) {
                a.pairWith(b);
                b.pairWith(a);

                long start = System.nanoTime();
                long cpu0 = cpuNanos();
                Map<String, Long> jit0 = jitCpu();
                Map<String, Long> initialThreads = threadCpu();
                JsonNode round;
                try (AutoCloseable progress = showProgress(b, report)) {
                    round = syncNow(b, a);
                }
                if (Boolean.getBoolean("bench.threads")) {
                    report.accept("    CPU ms of the initial round by thread: " + perRound(initialThreads, threadCpu(), 1));
                }
                seconds = (System.nanoTime() - start) / 1e9;
                cpuSeconds = (cpuNanos() - cpu0) / 1e9;
                jitSeconds = jitMillisSince(jit0) / 1e3;
                check(round, rows, b, rows);
                double syncRate = rows / seconds;
                report.accept(String.format("(1) initial sync of %,d rows A->B: %.2f s = %,.0f rows/s = %.3f x raw insert"
                        + " (process CPU %.1f s, both nodes; the JIT compiler %.1f s of it)", rows, seconds, syncRate,
                        syncRate / rawRate, cpuSeconds, jitSeconds));

                int changed = Math.min(CHANGED, rows);
                double[][] one = incrementalRounds(a, b, rows, changed, 5_000, "v", "", report);
                millis = median(one[0]);
                cpuMillis = median(one[1]);
                report.accept(String.format("(2) incremental sync of %,d changed rows in a %,d-row db: median %.1f ms"
                        + " of %d runs (%s; process CPU %.0f ms)", changed, rows, millis, INCREMENTAL_RUNS,
                        runs(one[0]), cpuMillis));

                // The same rows changed one per app transaction, each sealed alone (a person's edits, PUT /kv):
                // as many groups as rows, each with its own signature to check.
                double[][] singles = incrementalRounds(a, b, rows, changed, 1, "s", " of single-row groups", report);
                singlesMillis = median(singles[0]);
                report.accept(String.format("(2b) the same, each row changed in an app transaction of its own (%,d groups):"
                        + " median %.1f ms of %d runs (%s; process CPU %.0f ms)", changed, singlesMillis, INCREMENTAL_RUNS,
                        runs(singles[0]), median(singles[1])));
            }
        }

        Map<Integer, double[]> noOps = new java.util.LinkedHashMap<>();
        for (int size : sizes) {
            double[] noOp = noOpMillis(work.resolve("noop-" + size), size);
            noOps.put(size, noOp);
            report.accept(String.format("(3) no-op sync against a %,d-row db: median %.2f ms (process CPU %.2f ms per round;"
                    + " the JIT compiler %.2f ms of it); then in turn, median ms (process CPU ms): /sync/now %.2f (%.2f),"
                    + " in B's process through its scheduler %.2f (%.2f), SyncManager alone %.2f (%.2f)", size, noOp[0],
                    noOp[1], noOp[2], noOp[3], noOp[4], noOp[5], noOp[6], noOp[7], noOp[8]));
        }
        return new Figures(rows, rawRate, seconds, cpuSeconds, jitSeconds, millis, cpuMillis, singlesMillis, noOps);
    }

    /**
     * {@value #INCREMENTAL_RUNS} rounds of B with A, each after the same {@code changed} rows changed again on A,
     * {@code perTransaction} to an app transaction: the wall and process CPU ms of each.
     */
    private static double[][] incrementalRounds(Node a, Node b, int rows, int changed, int perTransaction, String version,
            String what, java.util.function.Consumer<String> report) throws Exception {
        Map<String, Long> threadsBefore = threadCpu();
        double[] wall = new double[INCREMENTAL_RUNS];
        double[] cpu = new double[INCREMENTAL_RUNS];
        for (int run = 0; run < INCREMENTAL_RUNS; run++) {
            writeRows(a, changed, version + (run + 2), perTransaction);
            long start = System.nanoTime();
            long cpu0 = cpuNanos();
            JsonNode round = syncNow(b, a);
            wall[run] = (System.nanoTime() - start) / 1e6;
            cpu[run] = (cpuNanos() - cpu0) / 1e6;
            check(round, changed, b, rows);
        }
        if (Boolean.getBoolean("bench.threads")) {
            report.accept("    CPU ms per incremental round" + what + " by thread: "
                    + perRound(threadsBefore, threadCpu(), INCREMENTAL_RUNS));
        }
        return new double[][] {wall, cpu};
    }

    /**
     * Tells {@code report} every 10 s how far the running round has come, as B's {@code GET /peers} shows it
     * to a user (its {@code progress}: entries done of the total, rate, time left), until closed.
     */
    private static AutoCloseable showProgress(Node b, java.util.function.Consumer<String> report) {
        Thread watcher = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(10_000);
                    for (JsonNode peer : b.get("/peers").json()) {
                        JsonNode p = peer.get("progress");
                        if (p != null && !p.isNull()) {
                            report.accept(String.format("    progress: %,d of %s entries, %s/s, %s s left, heap used %d MiB",
                                    p.get("done").asLong(), p.get("total"), p.get("perSecond"),
                                    p.get("secondsLeft"), usedHeapMiB()));
                        }
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-progress");
        watcher.setDaemon(true);
        watcher.start();
        return watcher::interrupt;
    }

    private static long usedHeapMiB() {
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }

    /** Inserts {@code rows} rows shaped like sync_kv into a plain table: batches of 1,000, one transaction. */
    static double rawInsertRate(Path file, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE plain (key TEXT PRIMARY KEY, value TEXT, timestamp TEXT NOT NULL, deleted_at TEXT)");
            }
            long start = System.nanoTime();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO plain VALUES (?, ?, ?, NULL)")) {
                String ts = Instant.now().toString();
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, key(i));
                    ps.setString(2, value(i, "v1"));
                    ps.setString(3, ts);
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            return rows / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Upserts rows 0..n-1 into A's sync_kv the way any program would (triggers capture), 5,000 rows per
     * transaction, sealing after each: every transaction becomes one group of 5,000 entries.
     */
    private static void writeRows(Node node, int n, String version) throws Exception {
        writeRows(node, n, version, 5_000);
    }

    /** Rows 0 to {@code n - 1} at {@code version}, {@code perTransaction} to an app transaction, each sealed on its own. */
    private static void writeRows(Node node, int n, String version, int perTransaction) throws Exception {
        javax.sql.DataSource ds = node.context.getBean(javax.sql.DataSource.class);
        String ts = Instant.now().toString();
        for (int from = 0; from < n; from += perTransaction) {
            int to = Math.min(n, from + perTransaction);
            for (int attempt = 1; ; attempt++) {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_kv (key, value, timestamp)"
                            + " VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                            + " timestamp = excluded.timestamp")) {
                        for (int i = from; i < to; i++) {
                            ps.setString(1, key(i));
                            ps.setString(2, value(i, version));
                            ps.setString(3, ts);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    c.commit();
                    // sealed after each transaction, as the capture poller does when it keeps up: one group per
                    // app transaction (sealing all at the end would make the whole run a single group)
                    node.context.getBean(ChangeTracker.class).sealPending();
                    break;
                } catch (java.sql.SQLException busy) {
                    // On a loaded machine a commit can time out waiting for another writer; the transaction
                    // was rolled back, so writing it again is safe.
                    if (attempt == 5) {
                        throw busy;
                    }
                }
            }
        }
    }

    /**
     * Median time of a sync with nothing to do between two nodes that both hold {@code size} rows and their
     * log entries (made by a third device, as after a completed sync); the process CPU time per round, and the JIT
     * compiler's part of it.
     */
    private static double[] noOpMillis(Path dir, int size) throws Exception {
        Path aDir = dir.resolve("a");
        Path bDir = dir.resolve("b");
        try (Node seed = Node.start("seed", aDir, "logging.level.io.p2psync=WARN")) {
            seed(seed, size);
        }
        Files.createDirectories(bDir);
        Files.copy(aDir.resolve("p2psync.db"), bDir.resolve("p2psync.db"), StandardCopyOption.REPLACE_EXISTING);
        try (Node a = Node.start("a", aDir, nodeProperties());
             Node b = Node.start("b", bDir, nodeProperties())) {
            // The start-up reconciliation scan reads every row once (ScanBenchmark measures it); it is stopped
            // here so the rounds are measured as on a node whose scan is done, not beside a full-table read.
            a.context.getBean("scanScheduler", org.springframework.context.Lifecycle.class).stop();
            b.context.getBean("scanScheduler", org.springframework.context.Lifecycle.class).stop();
            a.pairWith(b);
            b.pairWith(a);
            // Warm up connections and the JIT as a running node is: the round is short, so the first few
            // hundred still run partly interpreted (25 rounds right after start measured 10-15 ms, 1,500 rounds
            // a median of 5.6 ms).
            for (int i = 0; i < NO_OP_WARMUP; i++) {
                syncNow(b, a);
            }
            double[] times = new double[NO_OP_RUNS];
            Map<String, Long> threadsBefore = threadCpu();
            long cpu0 = cpuNanos();
            Map<String, Long> jit0 = jitCpu();
            for (int i = 0; i < NO_OP_RUNS; i++) {
                long start = System.nanoTime();
                JsonNode round = syncNow(b, a);
                times[i] = (System.nanoTime() - start) / 1e6;
                if (round.get(0).get("pulled").asInt() != 0 || round.get(0).get("pushed").asInt() != 0) {
                    throw new IllegalStateException("not a no-op: " + round);
                }
            }
            double cpuMillis = (cpuNanos() - cpu0) / 1e6 / NO_OP_RUNS;
            double jitMillis = jitMillisSince(jit0) / NO_OP_RUNS;
            if (Boolean.getBoolean("bench.threads")) {
                System.out.println("[bench]     CPU ms per no-op round by thread: "
                        + perRound(threadsBefore, threadCpu(), NO_OP_RUNS, 0.05));
            }
            Arrays.sort(times);
            double[] direct = roundsInProcess(b, a);
            double[] figures = Arrays.copyOf(new double[] {times[NO_OP_RUNS / 2], cpuMillis, jitMillis}, 3 + direct.length);
            System.arraycopy(direct, 0, figures, 3, direct.length);
            return figures;
        }
    }

    /**
     * Where the time of a round with nothing to do goes: the same round three ways, in turn, so each runs at the same
     * warmth: {@code POST /sync/now} over HTTP, as above; called in B's process through its per-peer scheduler
     * ({@code PeerRunner.request}, as {@code /sync/now} and the catch-up rounds run it: a thread of the peer's, its
     * breaker and time limit); and {@code SyncManager.syncWith} alone (the pull and the push). For each, in that
     * order, the median ms and the process CPU ms per round, over {@link #NO_OP_RUNS} turns after as many before.
     */
    private static double[] roundsInProcess(Node b, Node a) {
        io.p2psync.peers.PeerRunner runner = b.context.getBean(io.p2psync.peers.PeerRunner.class);
        io.p2psync.peers.Peer target = b.context.getBean(io.p2psync.peers.PeerDirectory.class).target(a.id, null)
                .orElseThrow();
        io.p2psync.sync.SyncManager manager = b.context.getBean(io.p2psync.sync.SyncManager.class);
        io.p2psync.devices.Device peer = b.context.getBean(io.p2psync.devices.DeviceRepository.class).find(a.id)
                .orElseThrow();
        List<java.util.function.BooleanSupplier> ways = List.of(
                () -> {
                    JsonNode round = syncNow(b, a).get(0);
                    return round.get("pulled").asInt() == 0 && round.get("pushed").asInt() == 0;
                },
                () -> {
                    io.p2psync.peers.PeerRunner.RoundReport report =
                            runner.request(target, io.p2psync.peers.PeerRunner.Trigger.MANUAL).join();
                    return report.error() == null && report.outcome().pulled() == 0 && report.outcome().pushed() == 0;
                },
                () -> {
                    io.p2psync.sync.PeerSyncResult round = manager.syncWith(peer);
                    return round.completed() && round.pulled() == 0 && round.pushed() == 0;
                });
        double[][] times = new double[ways.size()][NO_OP_RUNS];
        double[] cpu = new double[ways.size()];
        for (int i = -NO_OP_RUNS; i < NO_OP_RUNS; i++) {
            for (int way = 0; way < ways.size(); way++) {
                long cpu0 = cpuNanos();
                long start = System.nanoTime();
                boolean nothing = ways.get(way).getAsBoolean();
                if (i >= 0) {
                    times[way][i] = (System.nanoTime() - start) / 1e6;
                    cpu[way] += (cpuNanos() - cpu0) / 1e6 / NO_OP_RUNS;
                }
                if (!nothing) {
                    throw new IllegalStateException("not a round with nothing to do");
                }
            }
        }
        double[] figures = new double[2 * ways.size()];
        for (int way = 0; way < ways.size(); way++) {
            Arrays.sort(times[way]);
            figures[2 * way] = times[way][NO_OP_RUNS / 2];
            figures[2 * way + 1] = cpu[way];
        }
        return figures;
    }

    private static final String PLACEHOLDER_HASH = "0".repeat(64);
    /** 64 zero bytes: a sync with nothing to do reads no entry, and signing a million would take minutes. */
    private static final String PLACEHOLDER_SIGNATURE = java.util.Base64.getEncoder().encodeToString(new byte[64]);

    /**
     * Writes {@code size} kv rows, their log entries (by a made-up third device, hash-chained, with a
     * placeholder signature) and their row states straight into the node's file, with the apply guard set so
     * the triggers do not capture them. If a no-op round wrongly sent any of them, the receiver would refuse it and the run fails.
     */
    private static void seed(Node node, int size) throws Exception {
        DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
        String ts = Instant.now().toString();
        long now = System.currentTimeMillis();
        int batch = 50_000;
        String prev = null;
        try (Connection c = node.context.getBean(javax.sql.DataSource.class).getConnection()) {
            for (int from = 0; from < size; from += batch) {
                int to = Math.min(size, from + batch);
                // Sealed one after the other: each digest covers the previous entry's hash.
                List<ChangeEntry> entries = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    String data = "{\"key\":\"" + key(i) + "\",\"value\":\"" + value(i, "v1") + "\",\"timestamp\":\""
                            + ts + "\",\"deleted_at\":null}";
                    ChangeEntry draft = new ChangeEntry(origin.deviceId().toString(), i + 1, (now << 16) + i, now,
                            "sync_kv", SqlValues.encodeKey(List.of(key(i))), Operation.INSERT, null, data, null,
                            VersionVector.EMPTY, prev,
                            PLACEHOLDER_HASH, PLACEHOLDER_SIGNATURE);
                    ChangeEntry e = new ChangeEntry(draft.origin(), draft.version(), draft.hlc(), draft.timestamp(),
                            draft.table(), draft.recordId(), draft.operation(), draft.kind(), draft.data(),
                            draft.changedColumns(), draft.base(), draft.prevHash(), draft.computeHash(),
                            PLACEHOLDER_SIGNATURE);
                    entries.add(e);
                    prev = e.hash();
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE sync_apply_guard SET applying = 1 WHERE id = 1");
                }
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT OR IGNORE INTO sync_origins (device_id) VALUES ('" + origin.deviceId() + "')");
                }
                // as the node keeps them (docs/storage.md, "A compact log"): the origin by number, raw hashes,
                // no previous hash, and the row state's vector NULL for {origin: version}
                String number = "(SELECT id FROM sync_origins WHERE device_id = '" + origin.deviceId() + "')";
                try (PreparedStatement kv = c.prepareStatement("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)");
                     PreparedStatement state = c.prepareStatement("INSERT INTO sync_row_state (table_name, record_id,"
                             + " vector, origin, version, hlc, deleted) VALUES ('sync_kv', ?, NULL, " + number + ", ?, ?, 0)");
                     PreparedStatement log = c.prepareStatement("INSERT INTO sync_log (origin, version, hlc, timestamp,"
                             + " table_name, record_id, operation, kind, change_data, changed_columns, base,"
                             + " hash, signature, received_from, received_at) VALUES (" + number + ", ?, ?, ?, ?, ?, ?, ?, ?,"
                             + " ?, ?, ?, ?, " + number + ", ?)")) {
                    for (int i = from; i < to; i++) {
                        kv.setString(1, key(i));
                        kv.setString(2, value(i, "v1"));
                        kv.setString(3, ts);
                        kv.addBatch();
                        ChangeEntry e = entries.get(i - from);
                        log.setLong(1, e.version());
                        log.setLong(2, e.hlc());
                        log.setLong(3, e.timestamp());
                        log.setString(4, e.table());
                        log.setString(5, e.recordId());
                        log.setString(6, e.operation().name());
                        log.setString(7, e.kind().name());
                        log.setString(8, e.data());
                        log.setString(9, e.changedColumns());
                        log.setString(10, e.base().toJson());
                        log.setBytes(11, java.util.HexFormat.of().parseHex(e.hash()));
                        log.setString(12, e.signature());
                        log.setLong(13, now);
                        log.addBatch();
                        // the row's state, as sync leaves it: without it the start-up scan would take every
                        // row for one the app wrote and seal it again
                        state.setString(1, e.recordId());
                        state.setLong(2, e.version());
                        state.setLong(3, e.hlc());
                        state.addBatch();
                        if (i % 1000 == 999) {
                            kv.executeBatch();
                            log.executeBatch();
                            state.executeBatch();
                        }
                    }
                    kv.executeBatch();
                    log.executeBatch();
                    state.executeBatch();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE sync_apply_guard SET applying = 0 WHERE id = 1");
                }
                c.commit();
            }
        }
    }

    /**
     * Properties of the sync nodes: quiet logs, no automatic rounds, plus {@code -Dbench.node=k=v,k=v} (e.g.
     * {@code p2psync.sync.pull-page-size=1000}) to try other settings.
     */
    private static String[] nodeProperties(String... more) {
        // no rounds of their own (on pairing, on a change): each measured round is the only one running
        List<String> props = new ArrayList<>(List.of("logging.level.io.p2psync=WARN", "p2psync.sync.auto=false"));
        props.addAll(List.of(more));
        String extra = System.getProperty("bench.node", "");
        if (!extra.isBlank()) {
            props.addAll(List.of(extra.split(",")));
        }
        return props.toArray(String[]::new);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU ns of each JIT compiler thread (C1 and C2) now, by thread id and start time (so a reused id is another
     * thread); null where {@code /proc} cannot tell. These are the JVM's own threads: {@code ThreadMXBean} does not
     * list them, the process CPU includes them. {@code schedstat}'s first field is the thread's time on a CPU in ns.
     */
    static Map<String, Long> jitCpu() {
        Map<String, Long> cpu = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        String stat = Files.readString(task.resolve("stat"));
                        String started = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]; // field 22
                        long ns = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                        cpu.put(task.getFileName() + "@" + started, ns);
                    }
                } catch (java.io.IOException ended) {
                    // the thread ended between listing and reading
                }
            }
        } catch (java.io.IOException | RuntimeException noProc) {
            return null;
        }
        return cpu;
    }

    /**
     * CPU ms the JIT compiler's threads used since {@code before} ({@link #jitCpu}), NaN if {@code /proc} could not
     * tell. A compiler thread that ended meanwhile is not counted (the JVM stops idle ones when it has more than
     * one), so this can be less than the truth, never more.
     */
    static double jitMillisSince(Map<String, Long> before) {
        Map<String, Long> now = jitCpu();
        if (before == null || now == null) {
            return Double.NaN;
        }
        long ns = 0;
        for (Map.Entry<String, Long> thread : now.entrySet()) {
            ns += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
        }
        return ns / 1e6;
    }

    private static JsonNode syncNow(Node from, Node peer) {
        Node.Response r = from.post("/sync/now?peer=" + peer.id, "");
        if (r.status() != 200) {
            throw new IllegalStateException("sync failed: " + r);
        }
        return r.json();
    }

    private static void check(JsonNode round, int expectedPulled, Node b, int expectedRows) {
        JsonNode peer = round.get(0);
        if (!peer.get("error").isNull() || peer.get("pulled").asInt() != expectedPulled) {
            throw new IllegalStateException("unexpected round: " + round);
        }
        // counted in the file: GET /kv answers every row at once, more than a small heap holds at a million
        long live = b.context.getBean(javax.sql.DataSource.class) == null ? -1
                : new org.springframework.jdbc.core.JdbcTemplate(b.context.getBean(javax.sql.DataSource.class))
                        .queryForObject("SELECT COUNT(*) FROM sync_kv WHERE deleted_at IS NULL", Long.class);
        if (live != expectedRows) {
            throw new IllegalStateException("B has " + live + " rows, expected " + expectedRows);
        }
    }

    private static String key(int i) {
        return "key-" + i;
    }

    private static String value(int i, String version) {
        return "value " + i + " " + version + " " + "x".repeat(40);
    }

    private RestSyncBenchmark() {
    }

}
