package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code sync_peer_routes}: the last known libp2p addresses of each device (without {@code /p2p/}), where they
 * were learned, and when they last worked. Addresses that worked come first, the latest first.
 */
class RouteCache {

    /** Addresses kept per device; the oldest learned beyond it are dropped. */
    static final int MAX_PER_DEVICE = 16;

    private final JdbcClient jdbc;

    RouteCache(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The device's known addresses, those that worked latest first, then the latest learned. */
    List<String> addresses(PeerId device) {
        return jdbc.sql("SELECT address FROM sync_peer_routes WHERE device_id = ?"
                        + " ORDER BY worked_at IS NULL, worked_at DESC, learned_at DESC")
                .param(device.toString()).query(String.class).list();
    }

    /** Remembers addresses of {@code device}; {@code source} says where from (e.g. network-state, peer:&lt;id&gt;). */
    void learn(PeerId device, List<String> addresses, String source, long now) {
        for (String a : addresses) {
            jdbc.sql("INSERT INTO sync_peer_routes (device_id, address, source, learned_at) VALUES (?,?,?,?)"
                            + " ON CONFLICT (device_id, address) DO UPDATE SET source = excluded.source,"
                            + " learned_at = excluded.learned_at")
                    .params(device.toString(), a, source, now).update();
        }
        jdbc.sql("DELETE FROM sync_peer_routes WHERE device_id = ? AND address NOT IN (SELECT address FROM"
                        + " sync_peer_routes WHERE device_id = ? ORDER BY worked_at IS NULL, worked_at DESC,"
                        + " learned_at DESC LIMIT ?)")
                .params(device.toString(), device.toString(), MAX_PER_DEVICE).update();
    }

    /** The address reached {@code device} just now. */
    void worked(PeerId device, String address, String source, long now) {
        jdbc.sql("INSERT INTO sync_peer_routes (device_id, address, source, learned_at, worked_at) VALUES (?,?,?,?,?)"
                        + " ON CONFLICT (device_id, address) DO UPDATE SET worked_at = excluded.worked_at")
                .params(device.toString(), address, source, now, now).update();
    }

    /** Forgets every address of {@code device}; answers how many. */
    int forget(PeerId device) {
        return jdbc.sql("DELETE FROM sync_peer_routes WHERE device_id = ?").param(device.toString()).update();
    }
}
