package io.p2psync.changes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the reconciliation scan on a thread of its own, so a long scan never delays sealing the app's writes:
 * once for every tracked table at start, every {@code p2psync.capture.rescan-interval}, and for a table soon
 * after it becomes tracked.
 */
@Component
class ScanScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ScanScheduler.class);

    /** Before an owed scan is tried again (one that stopped early: the app changed the table meanwhile, say). */
    private static final Duration OWED_RETRY = Duration.ofSeconds(1);
    /** How often the scheduler looks for tables owed a scan. */
    private static final Duration OWED_CHECK = Duration.ofSeconds(5);

    private final ReconciliationScan scan;
    private final UnscannedTables unscanned;
    private final Duration interval;
    private final java.util.concurrent.atomic.AtomicBoolean owedQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ScheduledExecutorService executor;

    ScanScheduler(ReconciliationScan scan, UnscannedTables unscanned, CaptureSettings settings) {
        this.scan = scan;
        this.unscanned = unscanned;
        this.interval = settings.rescanInterval();
    }

    /** Scans these tables soon, after any scan already queued. */
    void scanSoon(List<String> tables) {
        ScheduledExecutorService e = executor;
        if (e != null && !tables.isEmpty()) {
            e.execute(() -> run(tables));
        }
    }

    private void run(List<String> tables) {
        try {
            // one table at a time: a table whose scan fails must not keep the others owed
            for (String table : tables == null ? scan.trackedNames() : tables) {
                try {
                    scan.scan(List.of(table));
                } catch (RuntimeException e) {
                    log.warn("reconciliation scan of {} failed, it is tried again: {}", table, e.toString());
                }
            }
        } catch (RuntimeException e) {
            // A busy or failing database must not end the schedule; the next scan finds what this one missed.
            log.warn("reconciliation scan failed, the next one will retry: {}", e.toString());
        }
        retryOwed();
    }

    /**
     * A table whose scan did not finish (failed, or stopped because the app changed its columns) holds back the
     * entries other devices send for it ({@link CaptureReadiness}): it is scanned again soon, not at the next
     * interval.
     */
    private void retryOwed() {
        ScheduledExecutorService e = executor;
        List<String> owed = unscanned.names().stream().toList();
        if (e != null && !owed.isEmpty() && owedQueued.compareAndSet(false, true)) {
            try {
                e.schedule(() -> {
                    owedQueued.set(false);
                    run(unscanned.names().stream().toList());
                }, OWED_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                owedQueued.set(false);
            }
        }
    }

    @Override
    public void start() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "p2psync-scan");
            t.setDaemon(true);
            return t;
        });
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor = e;
        e.execute(() -> run(null));
        // a table owed a scan that nothing else hands over (a look at the schema that failed half way) is scanned
        // within seconds, not at the next interval
        e.scheduleWithFixedDelay(this::retryOwed, OWED_CHECK.toMillis(), OWED_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        if (!interval.isZero()) {
            e.scheduleWithFixedDelay(() -> run(null), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        executor = e;
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        executor = null;
        if (e != null) {
            e.shutdownNow(); // a scan stops between two pages (see ReconciliationScan)
            try {
                if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("reconciliation scan did not stop within 10 s");
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
