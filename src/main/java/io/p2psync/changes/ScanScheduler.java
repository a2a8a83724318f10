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

    private final ReconciliationScan scan;
    private final Duration interval;
    private volatile ScheduledExecutorService executor;

    ScanScheduler(ReconciliationScan scan, CaptureSettings settings) {
        this.scan = scan;
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
            if (tables == null) {
                scan.scanAll();
            } else {
                scan.scan(tables);
            }
        } catch (RuntimeException e) {
            // A busy or failing database must not end the schedule; the next scan finds what this one missed.
            log.warn("reconciliation scan failed, the next one will retry: {}", e.toString());
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
        e.execute(() -> run(null));
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
