package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.nio.charset.StandardCharsets;

/**
 * The target's receipt of a message ({@code ACK}), signed by the target, so that a relay can carry it back to
 * the origin and the origin can trust it without having talked to the target.
 *
 * @param id the message's id
 * @param from the target, which signs
 * @param to the message's origin
 * @param receivedAt when the target stored the message, milliseconds since the epoch
 * @param signature Ed25519 by {@code from}'s key over the lines {@code p2p-sync/ack/1}, id, from, to, receivedAt
 */
public record Ack(String id, PeerId from, PeerId to, long receivedAt, byte[] signature) {

    private static final String DOMAIN = "p2p-sync/ack/1";

    public Ack {
        if (id == null || from == null || to == null || signature == null || receivedAt <= 0) {
            throw new IllegalArgumentException("an ack carries id, from, to, receivedAt and signature");
        }
    }

    static Ack sign(DeviceIdentity identity, SignedMessage message, long receivedAt) {
        byte[] bytes = signedBytes(message.id(), identity.deviceId(), message.from(), receivedAt);
        return new Ack(message.id(), identity.deviceId(), message.from(), receivedAt, identity.sign(bytes));
    }

    /** Whether the ack is {@code from}'s signature and acknowledges {@code message}. */
    boolean acknowledges(SignedMessage message) {
        return id.equals(message.id()) && from.equals(message.to()) && to.equals(message.from())
                && from.publicKey().map(k -> k.verify(signedBytes(id, from, to, receivedAt), signature)).orElse(false);
    }

    private static byte[] signedBytes(String id, PeerId from, PeerId to, long receivedAt) {
        return (DOMAIN + "\n" + id + "\n" + from + "\n" + to + "\n" + receivedAt + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
