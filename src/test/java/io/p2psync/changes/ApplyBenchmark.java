package io.p2psync.changes;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiving side of an initial sync alone, in one thread and without HTTP: a remote device's rows, in
 * groups of 5,000 as its app wrote them, applied page by page to an empty {@link StandaloneDevice}
 * ({@code RemoteChangeApplier.apply}: hash, chain and signature checks, log, row states, rows). Prints rows/s
 * and the applying thread's CPU per row, beside the same rows inserted raw. For profiling the applier; the
 * benchmark of record is {@code io.p2psync.bench.RestSyncBenchmark}.
 *
 * <p>Run: {@code java -cp target/test-classes:target/classes:<test classpath> io.p2psync.changes.ApplyBenchmark
 * [rows=100000] [rounds=3] [incremental runs=10]}.
 */
public final class ApplyBenchmark {

    /** Entries per app transaction among the changed rows ({@code -Dbench.edit-group=N}); 1,000 is one group. */
    private static final int EDIT_GROUP = Integer.getInteger("bench.edit-group", 1_000);

    private ApplyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        var threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            RemoteDevice bob = new RemoteDevice();
            List<ChangeEntry> entries = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                String key = "key-" + i;
                entries.add(bob.next(new RowChange("sync_kv", "[\"" + key + "\"]", Operation.INSERT, Kind.EDIT,
                        "{\"key\":\"" + key + "\",\"timestamp\":\"2026-12-05T19:00:00.000Z\",\"value\":\"value-" + i
                                + "-v1 padded to the size of a typical small value in a key-value store\"}", null),
                        VersionVector.EMPTY, (1L << 40) + i, i % 5_000 != 4_999));
            }
            Path dir = Files.createTempDirectory("apply-bench");
            try {
                StandaloneDevice node = new StandaloneDevice(dir.resolve("node.db"), List.of(), System::currentTimeMillis, List.of());
                try {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    for (int from = 0; from < rows; from += 5_000) {
                        List<ApplyOutcome> out = node.applier().apply(entries.subList(from, Math.min(rows, from + 5_000)), bob.id());
                        if (out.stream().anyMatch(o -> o.result() != ApplyOutcome.Result.APPLIED && o.result() != ApplyOutcome.Result.STAGED)) {
                            throw new IllegalStateException("not applied: " + out.get(0));
                        }
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double cpuMicros = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / rows;
                    long count = node.jdbc().sql("SELECT COUNT(*) FROM sync_kv").query(Long.class).single();
                    System.out.printf("round %d: applied %,d rows in %.2f s = %,.0f rows/s, %.1f us CPU per row (applying thread)%n",
                            round, count, seconds, rows / seconds, cpuMicros);
                    // then 1,000 of them changed, `runs` times over, each change made on top of the one before
                    List<ChangeEntry> last = new ArrayList<>(entries.subList(0, Math.min(1_000, rows)));
                    double[] millis = new double[runs];
                    long editCpu0 = threads.getCurrentThreadCpuTime();
                    for (int run = 0; run < millis.length; run++) {
                        List<ChangeEntry> edits = new ArrayList<>(last.size());
                        for (int i = 0; i < last.size(); i++) {
                            String key = "key-" + i;
                            edits.add(bob.next(new RowChange("sync_kv", "[\"" + key + "\"]", Operation.UPDATE, Kind.EDIT,
                                    "{\"key\":\"" + key + "\",\"timestamp\":\"2026-12-05T19:00:00.000Z\",\"value\":\"value-" + i
                                            + "-v" + (run + 2) + "\"}", "[\"value\"]"),
                                    last.get(i).vector(), (1L << 41) + run * 10_000L + i, (i + 1) % EDIT_GROUP != 0 && i < last.size() - 1));
                        }
                        long t = System.nanoTime();
                        List<ApplyOutcome> out = node.applier().apply(edits, bob.id());
                        millis[run] = (System.nanoTime() - t) / 1e6;
                        if (out.stream().anyMatch(o -> o.result() != ApplyOutcome.Result.APPLIED && o.result() != ApplyOutcome.Result.STAGED)) {
                            throw new IllegalStateException("not applied: " + out.stream().filter(o -> o.result() != ApplyOutcome.Result.APPLIED).findFirst());
                        }
                        last = edits;
                    }
                    double editCpuMillis = (threads.getCurrentThreadCpuTime() - editCpu0) / 1e6 / runs;
                    java.util.Arrays.sort(millis);
                    System.out.printf("round %d: 1,000 changed rows applied in %.1f ms (median of %d; %.1f-%.1f), %.1f ms CPU each%n",
                            round, millis[runs / 2], runs, millis[0], millis[runs - 1], editCpuMillis);
                } finally {
                    node.close();
                }
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
