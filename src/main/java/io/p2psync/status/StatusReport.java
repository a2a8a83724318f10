package io.p2psync.status;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveConnection;
import io.p2psync.live.LiveNode;
import io.p2psync.storage.P2pSyncSettings;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Puts together what {@code GET /status} and the console's {@code status} show. */
@Component
public class StatusReport {

    /**
     * Who this node is and how much it holds.
     *
     * @param deviceId this device's id ({@code 12D3KooW…})
     * @param deviceName its name for people
     * @param versionVector for each origin device, the highest version applied without a gap
     * @param logEntries entries in the change log, from every origin
     * @param devices rows in {@code sync_devices}, whatever their status
     * @param pendingConflicts conflicts waiting for a person
     * @param forks origins found to have signed two different entries with one version, refused until a person
     *     decides ({@code GET /sync/forks})
     * @param listenAddrs the libp2p multiaddrs this node listens on (with {@code /p2p/<id>}); empty when the
     *     live network is off
     * @param connections the open libp2p connections: peer, remote address, transport, direct or not, direction
     *     and since when, oldest first
     * @param reachability whether peers can dial this node, as AutoNAT found out: {@code UNKNOWN} (not found out
     *     yet), {@code PUBLIC} or {@code PRIVATE} (then it reserves on a relay by itself); null when the live network
     *     or AutoNAT is off
     * @param dht the DHT's mode now: {@code server} (answers other nodes' queries) or {@code client} (only asks; in
     *     {@code auto} mode while AutoNAT finds this node {@code PRIVATE}); null when the DHT is off
     */
    public record NodeStatus(String deviceId, String deviceName, VersionVector versionVector, long logEntries,
            long devices, long pendingConflicts, long forks, List<String> listenAddrs,
            List<LiveConnection> connections, String reachability, String dht) {
    }

    private final DeviceIdentity identity;
    private final P2pSyncSettings settings;
    private final ChangeTracker tracker;
    private final JdbcClient jdbc;
    private final ObjectProvider<LiveNode> live;

    StatusReport(DeviceIdentity identity, P2pSyncSettings settings, ChangeTracker tracker, JdbcClient jdbc,
            ObjectProvider<LiveNode> live) {
        this.identity = identity;
        this.settings = settings;
        this.tracker = tracker;
        this.jdbc = jdbc;
        this.live = live;
    }

    public NodeStatus current() {
        return new NodeStatus(identity.deviceId().toString(), settings.deviceName(), tracker.versionVector(),
                tracker.count(), count("SELECT COUNT(*) FROM sync_devices"),
                count("SELECT COUNT(*) FROM sync_conflicts WHERE status = 'pending'"),
                count("SELECT COUNT(*) FROM sync_forks"),
                live.stream().flatMap(node -> node.listenAddrs().stream()).toList(),
                live.stream().flatMap(node -> node.connections().stream()).toList(),
                live.stream().flatMap(node -> node.reachability().stream()).map(Enum::name).findFirst().orElse(null),
                live.stream().flatMap(node -> node.dht().stream())
                        .map(d -> d.isServer() ? "server" : "client").findFirst().orElse(null));
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
