package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code StrictSign} signature policy (pubsub/README.md, "Message Signing"): every message carries
 * {@code from}, an 8-byte {@code seqno} and an Ed25519 signature over {@code "libp2p-pubsub:"} followed by the
 * protobuf encoding of the message without its {@code signature} and {@code key} fields.
 *
 * <p>{@code key} is left out when signing, because an Ed25519 peer id inlines its public key; when a received
 * message carries one, it must be the key the {@code from} id names. Go and js compute the signed bytes the
 * same way, so signatures verify across implementations.
 */
final class MessageSigner {

    static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

    private final PrivateKey privateKey;
    private final PeerId self;

    MessageSigner(PrivateKey privateKey) {
        this.privateKey = privateKey;
        this.self = privateKey.peerId();
    }

    PeerId self() {
        return self;
    }

    /** An origin-stamped, signed message authored by this node. */
    PubsubMessage sign(String topic, byte[] data, long seqno) {
        byte[] seq = ByteBuffer.allocate(Long.BYTES).putLong(seqno).array();
        PubsubMessage unsigned = new PubsubMessage(self, seq, topic, data, null, null);
        byte[] signature = privateKey.sign(signedBytes(unsigned));
        return new PubsubMessage(self, seq, topic, data, signature, null);
    }

    /**
     * Checks a received message against StrictSign.
     *
     * @return empty if the message is origin-stamped and its signature verifies; otherwise why it is not
     */
    static Optional<String> violation(PubsubMessage m) {
        if (m.from() == null) {
            return Optional.of("no 'from' field");
        }
        if (m.seqno() == null || m.seqno().length != Long.BYTES) {
            return Optional.of(m.seqno() == null ? "no 'seqno' field" : "seqno of " + m.seqno().length + " bytes, not 8");
        }
        if (m.signature() == null) {
            return Optional.of("unsigned message");
        }
        PublicKey key;
        if (m.key() != null) {
            try {
                key = PublicKey.fromProtobuf(m.key());
            } catch (IllegalArgumentException e) {
                return Optional.of("unusable 'key': " + e.getMessage());
            }
            if (!m.from().matches(key)) {
                return Optional.of("'key' does not belong to 'from'");
            }
        } else {
            Optional<PublicKey> inlined = m.from().publicKey();
            if (inlined.isEmpty()) {
                return Optional.of("no 'key' and 'from' does not inline an Ed25519 key");
            }
            key = inlined.get();
        }
        if (!key.verify(signedBytes(m), m.signature())) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    private static byte[] signedBytes(PubsubMessage m) {
        byte[] body = RpcWire.toWire(m).toBuilder().clearSignature().clearKey().build().toByteArray();
        byte[] out = new byte[PREFIX.length + body.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(body, 0, out, PREFIX.length, body.length);
        return out;
    }
}
