package io.p2psync.status;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.storage.P2pSyncSettings;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class StatusController {

    /** The answer of {@code GET /status}. */
    record NodeStatus(String deviceId, String deviceName, VersionVector versionVector, long logEntries,
            long devices, long pendingConflicts) {
    }

    private final DeviceIdentity identity;
    private final P2pSyncSettings settings;
    private final ChangeTracker tracker;
    private final JdbcClient jdbc;

    StatusController(DeviceIdentity identity, P2pSyncSettings settings, ChangeTracker tracker, JdbcClient jdbc) {
        this.identity = identity;
        this.settings = settings;
        this.tracker = tracker;
        this.jdbc = jdbc;
    }

    @GetMapping("/status")
    NodeStatus status() {
        return new NodeStatus(identity.deviceId().toString(), settings.deviceName(), tracker.versionVector(),
                tracker.count(), count("SELECT COUNT(*) FROM sync_devices"),
                count("SELECT COUNT(*) FROM sync_conflicts WHERE status = 'pending'"));
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
