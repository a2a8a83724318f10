package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads and writes {@code sync_messages}. A message is keyed by its origin, its id and this device's role in it:
 * ids are chosen by their sender, so two senders may pick the same one, while a message arriving twice from its
 * origin is stored once ({@code INSERT OR IGNORE}). Every status change is one statement.
 * Times are milliseconds since the epoch.
 */
class MessageRepository {

    private static final String COLUMNS = "id, direction, from_device, to_device, content, created_at, signature,"
            + " status, path, via_device, delivered_at, received_at";

    private final JdbcClient jdbc;

    MessageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a message this device sends; false if one with its id was sent already. */
    boolean insertOut(SignedMessage m) {
        return insert(m, "out", MessageStatus.PENDING, null, null, null) == 1;
    }

    /** Records a message for this device; false if it was stored already (the target keeps one copy). */
    boolean insertIn(SignedMessage m, long receivedAt, DeliveryPath path, PeerId via) {
        return insert(m, "in", MessageStatus.RECEIVED, path, via, receivedAt) == 1;
    }

    /** Holds a message for another device; false if it is held (or was) already. */
    boolean insertRelay(SignedMessage m, PeerId handedBy) {
        return insert(m, "relay", MessageStatus.HELD, DeliveryPath.STORE_AND_FORWARD, handedBy, null) == 1;
    }

    private int insert(SignedMessage m, String direction, MessageStatus status, DeliveryPath path, PeerId via,
                       Long receivedAt) {
        return jdbc.sql("INSERT OR IGNORE INTO sync_messages (id, direction, from_device, to_device, content, created_at,"
                        + " signature, status, path, via_device, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
                .params(m.id(), direction, m.from().toString(), m.to().toString(), m.content(), m.createdAt(),
                        m.signature(), status.name(), path == null ? null : path.name(),
                        via == null ? null : via.toString(), receivedAt)
                .update();
    }

    Optional<Message> find(PeerId from, String id, String direction) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(MessageRepository::map).optional();
    }

    /**
     * The message with {@code id}: the one this device sent, else the latest received under that id (two
     * senders may have chosen it; {@code from} picks one), never one held for another device.
     *
     * @param from the origin, or null for any
     */
    Optional<Message> find(String id, PeerId from) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE id = ? AND direction IN ('out', 'in')"
                        + " AND (? IS NULL OR from_device = ?) ORDER BY direction DESC, received_at DESC LIMIT 1")
                .params(id, from == null ? null : from.toString(), from == null ? null : from.toString())
                .query(MessageRepository::map).optional();
    }

    Optional<SignedMessage> signed(PeerId from, String id, String direction) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE from_device = ? AND id = ? AND direction = ?")
                .params(from.toString(), id, direction).query(MessageRepository::signed).optional();
    }

    /**
     * Messages sent and received, newest first; with {@code peer}, only those to or from it.
     *
     * @param limit at most this many; {@code offset} skips as many first
     */
    List<Message> list(PeerId peer, int limit, int offset) {
        if (peer == null) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE direction IN ('out', 'in')"
                            + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                    .params(limit, offset).query(MessageRepository::map).list();
        }
        String p = peer.toString();
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE (direction = 'out' AND to_device = ?)"
                        + " OR (direction = 'in' AND from_device = ?) ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(p, p, limit, offset).query(MessageRepository::map).list();
    }

    /** Messages this device sent that are not delivered (pending or with relays), oldest first. */
    List<SignedMessage> undelivered(PeerId to, boolean storedToo) {
        String statuses = storedToo ? "('PENDING', 'STORED')" : "('PENDING')";
        if (to == null) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE direction = 'out' AND status IN "
                    + statuses + " ORDER BY created_at").query(MessageRepository::signed).list();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE direction = 'out' AND status IN " + statuses
                        + " AND to_device = ? ORDER BY created_at")
                .param(to.toString()).query(MessageRepository::signed).list();
    }

    /** The origin's record of a delivery; false if it was delivered already (a second ACK changes nothing). */
    boolean markDelivered(Ack ack, DeliveryPath path, PeerId via, long at) {
        return jdbc.sql("UPDATE sync_messages SET status = 'DELIVERED', path = ?, via_device = ?, delivered_at = ?,"
                        + " received_at = ?, ack_signature = ? WHERE from_device = ? AND id = ? AND direction = 'out'"
                        + " AND status <> 'DELIVERED'")
                .params(path.name(), via == null ? null : via.toString(), at, ack.receivedAt(), ack.signature(),
                        ack.to().toString(), ack.id())
                .update() == 1;
    }

    /** The origin handed the message to {@code relays}. */
    void markStored(String id, String relays) {
        jdbc.sql("UPDATE sync_messages SET status = 'STORED', path = 'STORE_AND_FORWARD', via_device = ?"
                        + " WHERE id = ? AND direction = 'out' AND status IN ('PENDING', 'STORED')")
                .params(relays, id).update();
    }

    /** Messages held here for {@code to}, oldest first. */
    List<SignedMessage> heldFor(PeerId to) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_messages WHERE direction = 'relay' AND status = 'HELD'"
                        + " AND to_device = ? ORDER BY created_at")
                .param(to.toString()).query(MessageRepository::signed).list();
    }

    int countHeldFor(PeerId to) {
        return jdbc.sql("SELECT count(*) FROM sync_messages WHERE direction = 'relay' AND status = 'HELD' AND to_device = ?")
                .param(to.toString()).query(Integer.class).single();
    }

    /** A relay's record that the target acknowledged; false unless it was held. */
    boolean markRelayAcked(Ack ack, long at) {
        return jdbc.sql("UPDATE sync_messages SET status = 'ACKED', delivered_at = ?, received_at = ?, ack_signature = ?"
                        + " WHERE from_device = ? AND id = ? AND direction = 'relay' AND status = 'HELD'")
                .params(at, ack.receivedAt(), ack.signature(), ack.to().toString(), ack.id()).update() == 1;
    }

    /** ACKs this relay holds for {@code origin}, waiting to go back. */
    List<Ack> acksFor(PeerId origin) {
        return jdbc.sql("SELECT id, to_device, from_device, received_at, ack_signature FROM sync_messages"
                        + " WHERE direction = 'relay' AND status = 'ACKED' AND from_device = ? ORDER BY created_at")
                .param(origin.toString())
                .query((rs, n) -> new Ack(rs.getString(1), PeerId.parse(rs.getString(2)), PeerId.parse(rs.getString(3)),
                        rs.getLong(4), rs.getBytes(5)))
                .list();
    }

    void markReturned(Ack ack) {
        jdbc.sql("UPDATE sync_messages SET status = 'RETURNED' WHERE from_device = ? AND id = ? AND direction = 'relay'"
                        + " AND status = 'ACKED'")
                .params(ack.to().toString(), ack.id()).update();
    }

    /**
     * Ends what outlived the retention: sent messages still undelivered become EXPIRED, held ones are dropped.
     *
     * @return how many rows changed
     */
    int expire(long createdBefore) {
        int out = jdbc.sql("UPDATE sync_messages SET status = 'EXPIRED' WHERE direction = 'out'"
                + " AND status IN ('PENDING', 'STORED') AND created_at < ?").param(createdBefore).update();
        int held = jdbc.sql("DELETE FROM sync_messages WHERE direction = 'relay' AND status IN ('HELD', 'ACKED')"
                + " AND created_at < ?").param(createdBefore).update();
        return out + held;
    }

    private static Message map(ResultSet rs, int n) throws SQLException {
        String path = rs.getString("path");
        long delivered = rs.getLong("delivered_at");
        boolean noDelivered = rs.wasNull();
        long received = rs.getLong("received_at");
        boolean noReceived = rs.wasNull();
        return new Message(rs.getString("id"), rs.getString("direction"), rs.getString("from_device"),
                rs.getString("to_device"), rs.getString("content"), Instant.ofEpochMilli(rs.getLong("created_at")),
                MessageStatus.valueOf(rs.getString("status")), path == null ? null : DeliveryPath.valueOf(path),
                rs.getString("via_device"), noDelivered ? null : Instant.ofEpochMilli(delivered),
                noReceived ? null : Instant.ofEpochMilli(received));
    }

    private static SignedMessage signed(ResultSet rs, int n) throws SQLException {
        return new SignedMessage(rs.getString("id"), PeerId.parse(rs.getString("from_device")),
                PeerId.parse(rs.getString("to_device")), rs.getLong("created_at"), rs.getString("content"),
                rs.getBytes("signature"));
    }
}
