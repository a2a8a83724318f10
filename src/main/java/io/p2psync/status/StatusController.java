package io.p2psync.status;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveNode;
import io.p2psync.storage.P2pSyncSettings;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class StatusController {

    /** The answer of {@code GET /status}. */
    record NodeStatus(String deviceId, String deviceName, VersionVector versionVector, long logEntries,
            long devices, long pendingConflicts, List<String> listenAddrs) {
    }

    private final DeviceIdentity identity;
    private final P2pSyncSettings settings;
    private final ChangeTracker tracker;
    private final JdbcClient jdbc;
    private final ObjectProvider<LiveNode> live;

    StatusController(DeviceIdentity identity, P2pSyncSettings settings, ChangeTracker tracker, JdbcClient jdbc,
            ObjectProvider<LiveNode> live) {
        this.identity = identity;
        this.settings = settings;
        this.tracker = tracker;
        this.jdbc = jdbc;
        this.live = live;
    }

    @GetMapping("/status")
    NodeStatus status() {
        return new NodeStatus(identity.deviceId().toString(), settings.deviceName(), tracker.versionVector(),
                tracker.count(), count("SELECT COUNT(*) FROM sync_devices"),
                count("SELECT COUNT(*) FROM sync_conflicts WHERE status = 'pending'"),
                live.stream().flatMap(node -> node.listenAddrs().stream()).toList());
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
