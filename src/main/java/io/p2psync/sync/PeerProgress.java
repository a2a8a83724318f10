package io.p2psync.sync;

import io.p2psync.changes.VersionVector;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code sync_peer_progress}: per peer, what it held at the last round and how the rounds went. What it holds
 * is also raised between rounds when the peer shows it: the vector it sends with a pull, the entries it pushes.
 */
@Repository
public class PeerProgress {

    private final JdbcClient jdbc;

    PeerProgress(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Raises what {@code peer} is known to hold to at least {@code held}, per origin. Does nothing before a
     * round with the peer completed (there is no vector to raise yet). Versions of {@link Long#MAX_VALUE}
     * (a caller's mark for an origin it skips) say nothing about what it holds and are left out.
     */
    public void recordHeld(String peer, VersionVector held) {
        String before = jdbc.sql("SELECT their_vector FROM sync_peer_progress WHERE peer_id = ?").param(peer)
                .query(String.class).optional().orElse(null);
        if (before == null) {
            return;
        }
        VersionVector known;
        try {
            known = VersionVector.parse(before);
        } catch (IllegalArgumentException unreadable) {
            return;
        }
        VersionVector raised = known;
        for (var origin : held.asMap().entrySet()) {
            if (origin.getValue() != Long.MAX_VALUE) {
                raised = raised.with(origin.getKey(), origin.getValue());
            }
        }
        if (!raised.equals(known)) {
            // Only if no round wrote meanwhile: a round's own record is at least as fresh.
            jdbc.sql("UPDATE sync_peer_progress SET their_vector = ? WHERE peer_id = ? AND their_vector = ?")
                    .params(raised.toJson(), peer, before)
                    .update();
        }
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
