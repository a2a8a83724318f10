package io.p2psync.bench;

import io.p2psync.bench.PeerBenchmarks.PeerFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bulk-speed benchmark (docs/benchmarks.md, "Bulk sync beside PouchDB and cr-sqlite"): p2p-sync and its
 * peers on the same rows in one run, printed as one table with ratios to a raw SQLite batch insert.
 *
 * <ol>
 *   <li>raw SQLite batch insert of the rows (sqlite-jdbc, prepared statement, batches of 1,000, one
 *       transaction), the yardstick;</li>
 *   <li>p2p-sync over REST between two real nodes: initial sync of the rows, incremental sync of 1,000
 *       changed rows (changed in one app transaction, then one per app transaction), a round with nothing to do
 *       at each database size given ({@link RestSyncBenchmark});</li>
 *   <li>p2p-sync capture: batches of 500 writes and one write per transaction, against the same writes to a
 *       plain table, sealed in the writing transaction as {@code PUT /kv} seals ({@link CaptureBenchmark}), and
 *       written by the app on a connection of its own while the node seals them in the background as it does
 *       any other program's writes ({@link AppCaptureBenchmark}: the app's own rate, and the rate until sealed);</li>
 *   <li>PouchDB replicating to pouchdb-server and cr-sqlite merging {@code crsql_changes}, on the same rows
 *       ({@link PeerBenchmarks}, which installs them from npm itself);</li>
 *   <li>the storage floor: the log entry, row state and row of each row written by SQLite alone, the most an
 *       initial sync can approach in this storage design ({@link StorageFloorBenchmark});</li>
 *   <li>live propagation, a write on A until B's file holds it, as the nodes' first writes and after 5,000 more
 *       ({@link LiveBenchmark}, in a JVM of its own so that its first writes are a fresh node's);</li>
 *   <li>an initial sync of 1,000,000 rows with the heap at {@code -Xmx256m} ({@link RestSyncBenchmark}, in a JVM
 *       of its own), beside the rate of the first.</li>
 * </ol>
 *
 * <p>Arguments: {@code [rows=100000] [no-op sizes=10000,100000,1000000 | none] [peers | no-peers]}. Run:
 * {@code ./mvnw -o -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.p2psync.bench.BulkBenchmark}.
 */
public final class BulkBenchmark {

    private static final int CHANGED = 1_000;
    private static final int CAPTURE_WRITES = 5_000;
    private static final int CAPTURE_BATCH = 500;
    private static final int APP_WRITES = 20_000;
    /** Rows of the initial sync run with the heap at {@code -Xmx256m}. */
    private static final int MILLION = 1_000_000;

    private BulkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int[] sizes = RestSyncBenchmark.sizes(args.length > 1 ? args[1] : "10000,100000,1000000");
        boolean peers = args.length <= 2 || !args[2].equals("no-peers");
        double loadBefore = RestSyncBenchmark.loadAverage();
        long started = System.nanoTime();

        RestSyncBenchmark.Figures sync = RestSyncBenchmark.run(rows, sizes, line -> System.out.println("[sync] " + line));
        CaptureBenchmark.Figures capture = CaptureBenchmark.measure(CAPTURE_WRITES, CAPTURE_BATCH, 500);
        System.out.println("[capture] done; log verifies: " + capture.verifies());
        AppCaptureBenchmark.Figures app = AppCaptureBenchmark.measure(APP_WRITES, CAPTURE_BATCH, APP_WRITES / 4);
        System.out.println("[app capture] done; entries " + app.entries() + " of " + app.expectedEntries()
                + ", log verifies: " + app.verifies());
        PeerFigures peer = peers ? PeerBenchmarks.run(rows, CHANGED) : PeerFigures.failed(rows, CHANGED, "not run");
        StorageFloorBenchmark.Figures floor = StorageFloorBenchmark.measure(rows);
        List<String> live = child(List.of(), LiveBenchmark.class, List.of("500", "100"), "[live] ");
        List<String> million = child(List.of("-Xmx256m"), RestSyncBenchmark.class,
                List.of(Integer.toString(MILLION), "none"), "[1M] ");

        List<String[]> table = new ArrayList<>();
        double raw = sync.rawRate();
        table.add(row("raw SQLite batch insert (sqlite-jdbc)", rate(raw, "rows/s"), "1", "", ""));
        table.add(row(String.format("initial sync, %,d rows", rows),
                rate(sync.initialRate(), "rows/s") + String.format(" (CPU %.1f s, JIT %.1f s)", sync.initialCpu(),
                        sync.initialJit()), ratio(sync.initialRate() / raw),
                peer.pouchdb() == null ? "-" : rate(peer.pouchdb().initialDocsPerSecond(), "docs/s") + " ("
                        + ratio(peer.pouchdb().initialDocsPerSecond() / raw) + ")",
                peer.crsqlite() == null ? "-" : rate(peer.crsqlite().initialRowsPerSecond(), "rows/s") + " ("
                        + ratio(peer.crsqlite().initialRowsPerSecond() / peer.crsqlite().rawInsertRowsPerSecond())
                        + " of its own raw)"));
        table.add(row("storage floor: log entry + row state + row, SQLite alone", rate(floor.floor(), "rows/s"),
                ratio(floor.floor() / floor.raw()) + " of its raw", "", ""));
        table.add(row(String.format("incremental, %,d changed rows", CHANGED), millis(sync.incrementalMs()), "",
                peer.pouchdb() == null ? "-" : millis(peer.pouchdb().incrementalMs()),
                peer.crsqlite() == null ? "-" : millis(peer.crsqlite().incrementalMs())));
        table.add(row(String.format("incremental, %,d rows changed one per app transaction", CHANGED),
                millis(sync.singlesMs()), "", "", ""));
        for (Map.Entry<Integer, double[]> noOp : sync.noOp().entrySet()) {
            table.add(row(String.format("round with nothing to do, %,d rows", noOp.getKey()), millis(noOp.getValue()[0])
                    + String.format(" (CPU %.1f ms, JIT %.1f ms); in turn: /sync/now %.1f, scheduled in B %.1f,"
                    + " SyncManager alone %.1f ms", noOp.getValue()[1], noOp.getValue()[2], noOp.getValue()[3],
                    noOp.getValue()[5], noOp.getValue()[7]), "", "", ""));
        }
        table.add(row("capture, batches of " + CAPTURE_BATCH, rate(capture.batchCaptured().perSecond(), "writes/s"),
                ratio(capture.batchCaptured().perSecond() / capture.batchPlain().perSecond()) + " of plain", "",
                peer.crsqlite() == null ? "-" : rate(peer.crsqlite().crrInsertRowsPerSecond(), "rows/s") + " ("
                        + ratio(peer.crsqlite().crrInsertRowsPerSecond() / peer.crsqlite().rawInsertRowsPerSecond())
                        + " of plain)"));
        table.add(row("capture, one write per transaction", rate(capture.singleCaptured().perSecond(), "writes/s"),
                ratio(capture.singleCaptured().perSecond() / capture.singlePlain().perSecond()) + " of plain", "", ""));
        table.add(appRow("capture as the app writes, batches of " + CAPTURE_BATCH, app.batched()));
        table.add(appRow("capture as the app writes, one per transaction", app.single()));
        table.add(row("live: a write on A in B's file, a node's first writes", latency(live, "the node's first writes"),
                "", "", ""));
        table.add(row("live: the same after 5,000 more writes", latency(live, "after \\d+ more writes"), "", "", ""));
        table.add(row("live: a burst of 4,000 PUTs from 4 clients on A", firstMatch(live, "Burst: [\\d,]+ PUTs on A from \\d+"
                + " clients in [\\d.]+ s \\(([\\d,]+) writes/s\\); all in B's file [\\d.]+ s after the first, (\\d+) ms after A"
                + " took the last; B applied ([\\d,]+) by gossip, dropped ([\\d,]+)")
                .map(m -> String.format("A took %s writes/s; B held the last %s ms after A took it, %s applied by gossip,"
                        + " %s dropped", m.group(1), m.group(2), m.group(3), m.group(4))).orElse("-"), "", "", ""));
        double millionRate = number(million, "\\(1\\) initial sync of [\\d,]+ rows A->B: [\\d.]+ s = ([\\d,]+) rows/s");
        table.add(row(String.format("initial sync, %,d rows, heap -Xmx256m", MILLION), Double.isNaN(millionRate) ? "-"
                : rate(millionRate, "rows/s") + String.format(" (heap in use at most %s MiB where sampled)",
                        heapPeak(million)), Double.isNaN(millionRate) ? "" : ratio(millionRate / sync.initialRate())
                + String.format(" of the %,d-row rate", rows), "", ""));

        System.out.println();
        System.out.printf("Bulk sync benchmark: %,d rows (key-i, ~60-character value, ISO timestamp), %d cpus, Java %s,"
                        + " Node %s; load average %.2f before, %.2f after; %.0f s in all%n", rows,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                peer.node() == null ? "-" : peer.node().version(), loadBefore, RestSyncBenchmark.loadAverage(),
                (System.nanoTime() - started) / 1e9);
        print(table);
        System.out.printf("plain tables for capture: %,.0f writes/s one per transaction, %,.0f in batches; cr-sqlite's"
                        + " own raw insert (%s): %,.0f rows/s%n", capture.singlePlain().perSecond(),
                capture.batchPlain().perSecond(), peer.crsqlite() == null ? "-" : peer.crsqlite().build(),
                peer.crsqlite() == null ? 0.0 : peer.crsqlite().rawInsertRowsPerSecond());
        if (peer.pouchdbError() != null || peer.crsqliteError() != null) {
            System.out.println("peers not measured: pouchdb " + peer.pouchdbError() + "; cr-sqlite " + peer.crsqliteError());
        }
        System.exit(capture.verifies() && app.verifies() && app.entries() == app.expectedEntries() ? 0 : 1);
    }

    /** A row of {@link AppCaptureBenchmark}: the app's own rate and the rate until sealed, each against plain. */
    private static String[] appRow(String label, AppCaptureBenchmark.Workload w) {
        return row(label, "the app's " + rate(w.app().perSecond(), "writes/s") + ", sealed "
                        + rate(w.sealed().perSecond(), "writes/s") + String.format(" (plain %,.0f)", w.plain().perSecond()),
                ratio(w.app().perSecond() / w.plain().perSecond()) + " / " + ratio(w.sealed().perSecond()
                        / w.plain().perSecond()) + " of plain", "", "");
    }

    /**
     * {@code mainClass} run in a JVM of its own ({@link ChildJvm}), its lines echoed with {@code prefix}; no lines
     * if it failed, so the table is still printed, with "-" for what it would have given.
     */
    private static List<String> child(List<String> jvmOptions, Class<?> mainClass, List<String> args, String prefix) {
        try {
            return ChildJvm.run(jvmOptions, mainClass, args, java.time.Duration.ofMinutes(15),
                    line -> System.out.println(prefix + line));
        } catch (Exception failed) {
            System.out.println(prefix + "failed: " + failed);
            return List.of();
        }
    }

    /** p50 and p99 of LiveBenchmark's line on B's file for the writes {@code which} (a regex) names. */
    private static String latency(List<String> lines, String which) {
        return firstMatch(lines, "readable in B's file, " + which + ": p50 ([\\d.]+) ms, p90 [\\d.]+ ms, p99 ([\\d.]+) ms")
                .map(m -> "p50 " + m.group(1) + " ms, p99 " + m.group(2) + " ms").orElse("-");
    }

    /** The number of the first line matching {@code regex}, whose group 1 is that number; NaN if none does. */
    private static double number(List<String> lines, String regex) {
        return firstMatch(lines, regex).map(m -> Double.parseDouble(m.group(1).replace(",", ""))).orElse(Double.NaN);
    }

    /** The first line in which {@code regex} is found, matched. */
    private static java.util.Optional<java.util.regex.Matcher> firstMatch(List<String> lines, String regex) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        return lines.stream().map(p::matcher).filter(java.util.regex.Matcher::find).findFirst();
    }

    /**
     * The most heap in use that the progress lines of a round reported (sampled every 10 s, so not the peak), or "-"
     * if it printed none.
     */
    private static String heapPeak(List<String> lines) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("heap used (\\d+) MiB");
        return lines.stream().map(p::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).max(Integer::compare).map(String::valueOf).orElse("-");
    }

    private static String[] row(String what, String p2pSync, String ratio, String pouch, String crsqlite) {
        return new String[] {what, p2pSync, ratio, pouch, crsqlite};
    }

    private static String rate(double perSecond, String unit) {
        return String.format("%,.0f %s", perSecond, unit);
    }

    private static String millis(double ms) {
        return String.format("%,.1f ms", ms);
    }

    private static String ratio(double r) {
        return String.format("%.3f", r);
    }

    private static void print(List<String[]> rows) {
        List<String[]> all = new ArrayList<>();
        all.add(new String[] {"", "p2p-sync", "ratio to raw", "PouchDB -> pouchdb-server", "cr-sqlite"});
        all.addAll(rows);
        int[] width = new int[5];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : all) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(String.format("%-" + width[i] + "s", r[i])).append(" |");
            }
            System.out.println(line);
        }
    }
}
