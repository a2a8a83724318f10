package io.p2psync.peers;

import io.p2psync.changes.VersionVector;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads {@code sync_peer_progress}, which the sync rounds write: what each peer held and how rounds went. */
@Repository
class PeerProgressRecords {

    /**
     * One row.
     *
     * @param theirVector what the peer held after the last completed round, or null if none completed
     */
    record Row(String peerId, VersionVector theirVector, Instant lastSuccessAt, String lastError,
               Instant lastErrorAt, int consecutiveFailures) {
    }

    private final JdbcClient jdbc;

    PeerProgressRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Map<String, Row> all() {
        return jdbc.sql("SELECT peer_id, their_vector, last_success_at, last_error, last_error_at,"
                        + " consecutive_failures FROM sync_peer_progress")
                .query((rs, n) -> new Row(rs.getString(1), vector(rs.getString(2)), instant(rs.getString(3)),
                        rs.getString(4), instant(rs.getString(5)), rs.getInt(6)))
                .list().stream()
                .collect(Collectors.toMap(Row::peerId, Function.identity()));
    }

    private static VersionVector vector(String json) {
        try {
            return json == null ? null : VersionVector.parse(json);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
