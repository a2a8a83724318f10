package io.p2psync.changes;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How capture treats the app's tables, under {@code p2psync.capture}.
 *
 * @param assignedKeys   tables listed in {@code p2psync.tables} whose key SQLite assigns (an
 *                       {@code INTEGER PRIMARY KEY}, with or without AUTOINCREMENT) and that may be tracked
 *                       all the same. Without this opt-in such a table is refused at start-up, because two
 *                       devices that insert without giving an id get the same id. Under it an insert/insert
 *                       collision is a pending conflict for a person (docs/conflicts.md).
 * @param rescanInterval time between reconciliation scans of every tracked table (one also runs at start-up);
 *                       zero turns the scheduled scan off ({@code POST /sync/rescan} still runs one)
 * @param scanBatch      rows the scan compares per write transaction; it pauses between them so the app
 *                       gets the write lock
 * @param readinessWait  how long an apply (or a resolution) waits for a table that may hold writes of the app no
 *                       trigger saw (re-created, or owed a scan) before it is refused for now, 503 {@code try-again}
 *                       (docs/storage.md, "Writes no trigger saw come first"); default 10 s
 */
@ConfigurationProperties("p2psync.capture")
public record CaptureSettings(
        @DefaultValue List<String> assignedKeys,
        @DefaultValue("1h") Duration rescanInterval,
        @DefaultValue("1000") int scanBatch,
        @DefaultValue("10s") Duration readinessWait) {

    public CaptureSettings {
        assignedKeys = assignedKeys == null ? List.of() : List.copyOf(assignedKeys);
        if (rescanInterval == null || rescanInterval.isNegative()) {
            rescanInterval = Duration.ZERO;
        }
        if (readinessWait == null || readinessWait.isNegative()) {
            readinessWait = Duration.ofSeconds(10);
        }
        if (scanBatch < 1) {
            throw new IllegalArgumentException("p2psync.capture.scan-batch must be at least 1, was " + scanBatch);
        }
    }

    /** Defaults, for code that runs capture without Spring (tests, benchmarks). */
    static CaptureSettings defaults() {
        return new CaptureSettings(List.of(), Duration.ofHours(1), 1000, Duration.ofSeconds(10));
    }

    /** The same settings with {@code tables} opted in to keys SQLite assigns. */
    CaptureSettings allowingAssignedKeys(List<String> tables) {
        return new CaptureSettings(tables, rescanInterval, scanBatch, readinessWait);
    }
}
