package io.p2psync.sync;

import io.p2psync.changes.VersionVector;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code sync_peer_progress}: per peer, what it held at the last round and how the rounds went. */
@Repository
class PeerProgress {

    private final JdbcClient jdbc;

    PeerProgress(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void recordSuccess(String peer, VersionVector theirVector, Instant at) {
        jdbc.sql("""
                INSERT INTO sync_peer_progress (peer_id, their_vector, last_success_at, consecutive_failures)
                VALUES (?, ?, ?, 0)
                ON CONFLICT (peer_id) DO UPDATE SET their_vector = excluded.their_vector,
                    last_success_at = excluded.last_success_at, consecutive_failures = 0""")
                .params(peer, theirVector.toJson(), iso(at))
                .update();
    }

    void recordFailure(String peer, String error, Instant at) {
        jdbc.sql("""
                INSERT INTO sync_peer_progress (peer_id, last_error, last_error_at, consecutive_failures)
                VALUES (?, ?, ?, 1)
                ON CONFLICT (peer_id) DO UPDATE SET last_error = excluded.last_error,
                    last_error_at = excluded.last_error_at,
                    consecutive_failures = sync_peer_progress.consecutive_failures + 1""")
                .params(peer, error, iso(at))
                .update();
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
