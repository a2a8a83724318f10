package io.p2psync.changes;

import io.p2psync.storage.P2pSyncSettings;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seals changes that other programs wrote to the database file: every {@code p2psync.capture-poll}
 * (200 ms by default) it first follows the app's schema if it changed ({@link SchemaFollower}: one cheap read
 * when it did not), then looks for pending captures with one cheap read and seals them if there are any.
 */
@Component
class CapturePoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CapturePoller.class);

    private final ChangeSealer sealer;
    private final SchemaFollower schema;
    private final ScanScheduler scans;
    private final TaskScheduler scheduler;
    private final P2pSyncSettings settings;
    private volatile ScheduledFuture<?> task;
    private final TransactionTemplate tx;

    CapturePoller(ChangeSealer sealer, SchemaFollower schema, ScanScheduler scans, TaskScheduler scheduler,
                  P2pSyncSettings settings, TransactionTemplate tx) {
        this.tx = tx;
        this.sealer = sealer;
        this.schema = schema;
        this.scans = scans;
        this.scheduler = scheduler;
        this.settings = settings;
    }

    void poll() {
        try {
            // Before sealing, so captures of a table that just became tracked are not dropped as untracked.
            scans.scanSoon(schema.follow());
        } catch (RuntimeException e) {
            log.warn("following a schema change failed, will retry: {}", e.getMessage());
        }
        try {
            // Part by part, each in its own short transaction, so the app's own writes and incoming sync
            // interleave with a large backlog instead of waiting behind it; what the app writes meanwhile waits
            // for the next poll.
            int sealed = sealer.sealBacklog(tx, this::isRunning);
            if (sealed > 0) {
                log.debug("sealed {} changes written by other programs", sealed);
            }
        } catch (RuntimeException e) {
            // A busy or failing database must not stop the poller; the captures stay queued for next time.
            log.warn("sealing pending captures failed, will retry: {}", e.getMessage());
        }
    }

    @Override
    public void start() {
        task = scheduler.scheduleWithFixedDelay(this::poll, settings.capturePoll());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        task = null;
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }
}
