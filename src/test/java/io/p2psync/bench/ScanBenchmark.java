package io.p2psync.bench;

import io.p2psync.P2pSyncApplication;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.ReconciliationScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Measures the reconciliation scan on a table of {@code rows} rows (default 1,000,000) of {@code plain_kv}
 * (text key, three more columns, ~90 bytes a row), written with the apply guard set so the triggers do not
 * see them, as rows that existed before the table was tracked:
 * <ul>
 *   <li>first scan: every row is new to the log and sealed as an INSERT (what tracking an existing table costs);</li>
 *   <li>second scan: nothing changed (what the hourly scan costs);</li>
 *   <li>third scan after 1 % of the rows changed and 0.1 % were deleted behind the triggers' back.</li>
 * </ul>
 * Run: {@code ./mvnw -q -o test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.mainClass=io.p2psync.bench.ScanBenchmark -Dexec.classpathScope=test} (optional arg: rows).
 */
public final class ScanBenchmark {

    private ScanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("p2psync-scan-bench");
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(P2pSyncApplication.class)
                .web(WebApplicationType.NONE)
                .run("--p2psync.data-dir=" + dir, "--p2psync.capture-poll=1h", "--p2psync.tables=plain_kv",
                        "--p2psync.capture.rescan-interval=0", "--p2psync.console.enabled=false",
                        "--logging.level.root=WARN", "--logging.level.io.p2psync=WARN",
                        "--spring.flyway.locations=classpath:db/migration,classpath:db/testmigration")) {
            // the scheduled scans (the one at start, on an empty table) must not take the rows this measures
            ctx.getBean("scanScheduler", org.springframework.context.Lifecycle.class).stop();
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            TransactionTemplate tx = ctx.getBean(TransactionTemplate.class);
            ReconciliationScan scan = ctx.getBean(ReconciliationScan.class);
            fill(jdbc, tx, rows);
            System.out.printf("Reconciliation scan benchmark: %d rows in plain_kv, pages of 1000%n", rows);
            measure("first scan (all rows new)", scan, rows);
            measure("second scan (no change)", scan, rows);
            unseen(jdbc, tx, "UPDATE plain_kv SET value = value || '!' WHERE rowid % 100 = 0");
            unseen(jdbc, tx, "DELETE FROM plain_kv WHERE rowid % 1000 = 1");
            measure("third scan (1 % changed, 0.1 % gone)", scan, rows);
            ChangeTracker tracker = ctx.getBean(ChangeTracker.class);
            System.out.printf("log entries: %d, chain verifies: %s%n", tracker.count(), tracker.verify().isEmpty());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(String what, ReconciliationScan scan, int rows) {
        long start = System.nanoTime();
        List<ReconciliationScan.TableScan> done = scan.scan(List.of("plain_kv"));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-40s %8.1f s | %9.0f rows/s | %d compared, %d sealed%n", what, seconds, rows / seconds,
                done.get(0).rows(), done.get(0).sealed());
    }

    private static void fill(JdbcTemplate jdbc, TransactionTemplate tx, int rows) {
        for (int from = 0; from < rows; from += 50_000) {
            int f = from;
            tx.executeWithoutResult(s -> {
                jdbc.update("UPDATE sync_apply_guard SET applying = 1 WHERE id = 1");
                jdbc.update("WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
                        + "INSERT INTO plain_kv (key, value, timestamp) SELECT printf('key-%08d', i), "
                        + "'value-' || i || '-' || hex(randomblob(16)), '2026-01-01T00:00:00.000Z' FROM n",
                        f, Math.min(rows, f + 50_000));
                jdbc.update("UPDATE sync_apply_guard SET applying = 0 WHERE id = 1");
            });
        }
    }

    private static void unseen(JdbcTemplate jdbc, TransactionTemplate tx, String sql) {
        tx.executeWithoutResult(s -> {
            jdbc.update("UPDATE sync_apply_guard SET applying = 1 WHERE id = 1");
            jdbc.update(sql);
            jdbc.update("UPDATE sync_apply_guard SET applying = 0 WHERE id = 1");
        });
    }
}
