package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads and writes {@code sync_file_transfers}; times in milliseconds since the epoch. */
class FileTransferRepository {

    private final JdbcClient jdbc;

    FileTransferRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a transfer; false if one with its id and direction exists. */
    boolean insert(FileManifest m, String direction, String status, String file, long now) {
        return jdbc.sql("INSERT OR IGNORE INTO sync_file_transfers (id, direction, from_device, to_device, name, size,"
                        + " sha256, chunk_size, created_at, signature, file, status, bytes_done, updated_at)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?)")
                .params(m.id(), direction, m.from().toString(), m.to().toString(), m.name(), m.size(), m.sha256(),
                        m.chunkSize(), now, m.signature(), file, status, now)
                .update() == 1;
    }

    Optional<FileManifest> manifest(String id, String direction) {
        return jdbc.sql("SELECT id, from_device, to_device, name, size, sha256, chunk_size, signature"
                        + " FROM sync_file_transfers WHERE id = ? AND direction = ?")
                .params(id, direction)
                .query((rs, n) -> new FileManifest(rs.getString(1), PeerId.parse(rs.getString(2)),
                        PeerId.parse(rs.getString(3)), rs.getString(4), rs.getLong(5), rs.getString(6), rs.getInt(7),
                        rs.getBytes(8)))
                .optional();
    }

    Optional<FileTransfer> find(String id, String direction) {
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE id = ? AND direction = ?").params(id, direction)
                .query(FileTransferRepository::map).optional();
    }

    /** The transfer with {@code id}, the sent one first. */
    Optional<FileTransfer> find(String id) {
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE id = ? ORDER BY direction DESC LIMIT 1").param(id)
                .query(FileTransferRepository::map).optional();
    }

    List<FileTransfer> list(int limit, int offset) {
        return jdbc.sql("SELECT * FROM sync_file_transfers ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(limit, offset).query(FileTransferRepository::map).list();
    }

    /** Sent transfers not complete, to {@code to} (or to anyone if null), oldest first. */
    List<String> unfinished(PeerId to) {
        if (to == null) {
            return jdbc.sql("SELECT id FROM sync_file_transfers WHERE direction = 'out' AND status <> 'COMPLETE'"
                    + " ORDER BY created_at").query(String.class).list();
        }
        return jdbc.sql("SELECT id FROM sync_file_transfers WHERE direction = 'out' AND status <> 'COMPLETE'"
                + " AND to_device = ? ORDER BY created_at").param(to.toString()).query(String.class).list();
    }

    long bytesDone(String id, String direction) {
        return jdbc.sql("SELECT bytes_done FROM sync_file_transfers WHERE id = ? AND direction = ?")
                .params(id, direction).query(Long.class).optional().orElse(0L);
    }

    String status(String id, String direction) {
        return jdbc.sql("SELECT status FROM sync_file_transfers WHERE id = ? AND direction = ?")
                .params(id, direction).query(String.class).optional().orElse(null);
    }

    /** A new session of the transfer begins at its bytes_done. */
    void beginSession(String id, String direction, String status, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = ?, session_started_at = ?, session_start_bytes = bytes_done,"
                        + " updated_at = ?, error = NULL WHERE id = ? AND direction = ?")
                .params(status, now, now, id, direction).update();
    }

    void progress(String id, String direction, long bytesDone, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET bytes_done = ?, updated_at = ? WHERE id = ? AND direction = ?")
                .params(bytesDone, now, id, direction).update();
    }

    void status(String id, String direction, String status, String error, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = ?, error = ?, updated_at = ? WHERE id = ? AND direction = ?")
                .params(status, error, now, id, direction).update();
    }

    void complete(String id, String direction, long size, String file, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = 'COMPLETE', bytes_done = ?, file = ?, updated_at = ?,"
                        + " finished_at = ?, error = NULL WHERE id = ? AND direction = ?")
                .params(size, file, now, now, id, direction).update();
    }

    private static FileTransfer map(ResultSet rs, int n) throws SQLException {
        long done = rs.getLong("bytes_done");
        long sessionStart = rs.getLong("session_started_at");
        boolean noSession = rs.wasNull();
        long startBytes = rs.getLong("session_start_bytes");
        long updated = rs.getLong("updated_at");
        long finished = rs.getLong("finished_at");
        boolean notFinished = rs.wasNull();
        long rate = 0;
        if (!noSession && updated > sessionStart) {
            rate = (done - startBytes) * 1000 / (updated - sessionStart);
        }
        return new FileTransfer(rs.getString("id"), rs.getString("direction"), rs.getString("from_device"),
                rs.getString("to_device"), rs.getString("name"), rs.getLong("size"), rs.getString("sha256"),
                rs.getString("status"), done, rate, noSession ? 0 : startBytes,
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(updated),
                notFinished ? null : Instant.ofEpochMilli(finished), rs.getString("file"), rs.getString("error"));
    }
}
