package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads and writes {@code sync_file_transfers}: one row per transfer and role ({@code out} sent from here,
 * {@code in} received here, {@code relay} held here for another device), keyed by the origin, the id and the
 * role, since ids are chosen by their sender. Times in milliseconds since the epoch.
 */
class FileTransferRepository {

    private static final String MANIFEST = "SELECT id, from_device, to_device, name, size, sha256, chunk_size, signature"
            + " FROM sync_file_transfers";

    private final JdbcClient jdbc;

    FileTransferRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a transfer; false if one with its origin, id and direction exists.
     *
     * @param via the relay it came through ({@code in}), or null
     */
    boolean insert(FileManifest m, String direction, String status, String file, long now, PeerId via) {
        return jdbc.sql("INSERT OR IGNORE INTO sync_file_transfers (id, direction, from_device, to_device, name, size,"
                        + " sha256, chunk_size, created_at, signature, file, status, bytes_done, updated_at, via_device)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)")
                .params(m.id(), direction, m.from().toString(), m.to().toString(), m.name(), m.size(), m.sha256(),
                        m.chunkSize(), now, m.signature(), file, status, now, via == null ? null : via.toString())
                .update() == 1;
    }

    Optional<FileManifest> manifest(PeerId from, String id, String direction) {
        return jdbc.sql(MANIFEST + " WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(FileTransferRepository::manifest).optional();
    }

    Optional<FileTransfer> find(PeerId from, String id, String direction) {
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(FileTransferRepository::map).optional();
    }

    /**
     * The transfer with {@code id}: the one sent from here first, else the latest received under it; never a
     * file held for another device.
     *
     * @param from its origin, or null for any (two senders may choose the same id)
     */
    Optional<FileTransfer> find(String id, PeerId from) {
        String origin = from == null ? null : from.toString();
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE id = ? AND direction IN ('out', 'in')"
                        + " AND (? IS NULL OR from_device = ?) ORDER BY direction DESC, created_at DESC LIMIT 1")
                .params(id, origin, origin).query(FileTransferRepository::map).optional();
    }

    /** Transfers sent and received (not those held for others), newest first. */
    List<FileTransfer> list(int limit, int offset) {
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE direction IN ('out', 'in')"
                        + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(limit, offset).query(FileTransferRepository::map).list();
    }

    /** Sent transfers not complete (pending, interrupted or held by relays), to {@code to} (or anyone if null), oldest first. */
    List<String> unfinished(PeerId to) {
        if (to == null) {
            return jdbc.sql("SELECT id FROM sync_file_transfers WHERE direction = 'out' AND status <> 'COMPLETE'"
                    + " ORDER BY created_at").query(String.class).list();
        }
        return jdbc.sql("SELECT id FROM sync_file_transfers WHERE direction = 'out' AND status <> 'COMPLETE'"
                + " AND to_device = ? ORDER BY created_at").param(to.toString()).query(String.class).list();
    }

    long bytesDone(PeerId from, String id, String direction) {
        return jdbc.sql("SELECT bytes_done FROM sync_file_transfers WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(Long.class).optional().orElse(0L);
    }

    String status(PeerId from, String id, String direction) {
        return jdbc.sql("SELECT status FROM sync_file_transfers WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(String.class).optional().orElse(null);
    }

    /** A new session of the transfer begins at its bytes_done. */
    void beginSession(PeerId from, String id, String direction, String status, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = ?, session_started_at = ?, session_start_bytes = bytes_done,"
                        + " updated_at = ?, error = NULL WHERE from_device = ? AND id = ? AND direction = ?")
                .params(status, now, now, from.toString(), id, direction).update();
    }

    /** Records the bytes written so far; false if there is no such row (any more). */
    boolean progress(PeerId from, String id, String direction, long bytesDone, long now) {
        return jdbc.sql("UPDATE sync_file_transfers SET bytes_done = ?, updated_at = ?"
                        + " WHERE from_device = ? AND id = ? AND direction = ?")
                .params(bytesDone, now, from.toString(), id, direction).update() == 1;
    }

    void status(PeerId from, String id, String direction, String status, String error, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = ?, error = ?, updated_at = ?"
                        + " WHERE from_device = ? AND id = ? AND direction = ?")
                .params(status, error, now, from.toString(), id, direction).update();
    }

    /**
     * The transfer is whole at the target (or, for {@code relay}, held whole here).
     *
     * @param via the relay the file went through, or null for none
     * @param receipt the target's signed receipt, or null
     */
    void complete(PeerId from, String id, String direction, String status, long size, String file, PeerId via,
                  FileReceipt receipt, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = ?, bytes_done = ?, file = ?, updated_at = ?,"
                        + " finished_at = ?, error = NULL, via_device = ?, received_at = ?, receipt_signature = ?"
                        + " WHERE from_device = ? AND id = ? AND direction = ?")
                .params(status, size, file, now, now, via == null ? null : via.toString(),
                        receipt == null ? null : receipt.receivedAt(), receipt == null ? null : receipt.signature(),
                        from.toString(), id, direction)
                .update();
    }

    /** The receipt the target signed when this device received the file, if it did. */
    Optional<Long> receivedAt(PeerId from, String id) {
        return jdbc.sql("SELECT received_at FROM sync_file_transfers WHERE from_device = ? AND id = ?"
                        + " AND direction = 'in' AND received_at IS NOT NULL")
                .params(from.toString(), id).query(Long.class).optional();
    }

    // ---- the sender's side of store and forward

    /** The sender handed the file to {@code relays} (comma-separated); it stays there until a receipt comes. */
    void markStored(String id, PeerId self, String relays, long now) {
        jdbc.sql("UPDATE sync_file_transfers SET status = 'STORED', via_device = ?, error = NULL, updated_at = ?"
                        + " WHERE from_device = ? AND id = ? AND direction = 'out' AND status <> 'COMPLETE'")
                .params(relays, now, self.toString(), id).update();
    }

    // ---- the relay's side

    /** Bytes of files this device holds, or is taking in, for {@code to}: what counts against the relay quota. */
    long heldBytesFor(PeerId to) {
        return jdbc.sql("SELECT coalesce(sum(size), 0) FROM sync_file_transfers WHERE direction = 'relay'"
                        + " AND status IN ('HOLDING', 'HELD') AND to_device = ?")
                .param(to.toString()).query(Long.class).single();
    }

    /** Whole files held here for {@code to}, oldest first. */
    List<FileManifest> heldFor(PeerId to) {
        return jdbc.sql(MANIFEST + " WHERE direction = 'relay' AND status = 'HELD' AND to_device = ? ORDER BY created_at")
                .param(to.toString()).query(FileTransferRepository::manifest).list();
    }

    /** The target's receipt reached this relay: the held copy has done its job. False unless it was held. */
    boolean markRelayDelivered(FileReceipt receipt, long now) {
        return jdbc.sql("UPDATE sync_file_transfers SET status = 'DELIVERED', received_at = ?, receipt_signature = ?,"
                        + " updated_at = ?, finished_at = ? WHERE from_device = ? AND id = ? AND direction = 'relay'"
                        + " AND status = 'HELD'")
                .params(receipt.receivedAt(), receipt.signature(), now, now, receipt.to().toString(), receipt.id())
                .update() == 1;
    }

    /** Receipts this relay holds for {@code origin}, waiting to go back. */
    List<FileReceipt> receiptsFor(PeerId origin) {
        return jdbc.sql("SELECT id, to_device, from_device, sha256, received_at, receipt_signature FROM sync_file_transfers"
                        + " WHERE direction = 'relay' AND status = 'DELIVERED' AND from_device = ? ORDER BY created_at")
                .param(origin.toString())
                .query((rs, n) -> new FileReceipt(rs.getString(1), PeerId.parse(rs.getString(2)),
                        PeerId.parse(rs.getString(3)), rs.getString(4), rs.getLong(5), rs.getBytes(6)))
                .list();
    }

    void markReturned(FileReceipt receipt) {
        jdbc.sql("UPDATE sync_file_transfers SET status = 'RETURNED' WHERE from_device = ? AND id = ?"
                        + " AND direction = 'relay' AND status = 'DELIVERED'")
                .params(receipt.to().toString(), receipt.id()).update();
    }

    /** Files held here (whole or in part) that came before {@code createdBefore}: the retention is over. */
    List<FileTransfer> heldBefore(long createdBefore) {
        return jdbc.sql("SELECT * FROM sync_file_transfers WHERE direction = 'relay' AND status IN ('HOLDING', 'HELD',"
                        + " 'DELIVERED', 'RETURNED') AND created_at < ?")
                .param(createdBefore).query(FileTransferRepository::map).list();
    }

    void delete(PeerId from, String id, String direction) {
        jdbc.sql("DELETE FROM sync_file_transfers WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).update();
    }

    private static FileManifest manifest(ResultSet rs, int n) throws SQLException {
        return new FileManifest(rs.getString(1), PeerId.parse(rs.getString(2)), PeerId.parse(rs.getString(3)),
                rs.getString(4), rs.getLong(5), rs.getString(6), rs.getInt(7), rs.getBytes(8));
    }

    private static FileTransfer map(ResultSet rs, int n) throws SQLException {
        long done = rs.getLong("bytes_done");
        long sessionStart = rs.getLong("session_started_at");
        boolean noSession = rs.wasNull();
        long startBytes = rs.getLong("session_start_bytes");
        long updated = rs.getLong("updated_at");
        long finished = rs.getLong("finished_at");
        boolean notFinished = rs.wasNull();
        long received = rs.getLong("received_at");
        boolean notReceived = rs.wasNull();
        long rate = 0;
        if (!noSession && updated > sessionStart) {
            rate = (done - startBytes) * 1000 / (updated - sessionStart);
        }
        return new FileTransfer(rs.getString("id"), rs.getString("direction"), rs.getString("from_device"),
                rs.getString("to_device"), rs.getString("name"), rs.getLong("size"), rs.getString("sha256"),
                rs.getString("status"), done, rate, noSession ? 0 : startBytes,
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(updated),
                notFinished ? null : Instant.ofEpochMilli(finished), rs.getString("file"), rs.getString("error"),
                rs.getString("via_device"), notReceived ? null : Instant.ofEpochMilli(received));
    }
}
