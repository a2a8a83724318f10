package io.p2psync.messaging;

import java.time.Instant;

/**
 * A message as this device keeps it ({@code sync_messages}) and shows it ({@code GET /messages}).
 *
 * @param direction {@code out} (sent by this device), {@code in} (received) or {@code relay} (held for another)
 * @param path how it reached its target; null while not delivered
 * @param via the device the path went through (the peer that answered PEER_QUERY, the relay); null if none
 * @param deliveredAt when this device learned of the delivery (origin, relay); null before
 * @param receivedAt when the target stored it, as its ACK says (origin, relay) or as stored (target); null before
 */
public record Message(String id, String direction, String from, String to, String content, Instant createdAt,
                      MessageStatus status, DeliveryPath path, String via, Instant deliveredAt, Instant receivedAt) {
}
