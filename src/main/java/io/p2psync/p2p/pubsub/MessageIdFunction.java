package io.p2psync.p2p.pubsub;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a message id is computed from an origin-stamped message (pubsub/README.md, "Message Identification").
 * Every peer of a topic must use the same function, or IHAVE/IWANT name messages the others cannot find.
 *
 * <p>The implementations disagree: go-libp2p-pubsub uses {@code from || seqno} with the whole peer id
 * multihash ({@link #FROM_AND_SEQNO}, the spec's wording), while js-libp2p-gossipsub (up to at least 14.x,
 * {@code msgIdFnStrictSign}) uses the author's protobuf public key followed by the seqno
 * ({@link #PUBLIC_KEY_AND_SEQNO}); for an Ed25519 id that is {@code from} without its two-byte identity
 * multihash header. This project's nodes mesh with js peers, so the router defaults to the js form.
 */
@FunctionalInterface
public interface MessageIdFunction {

    /** {@code from || seqno}: the whole peer id bytes, then the seqno, as go-libp2p-pubsub computes it. */
    MessageIdFunction FROM_AND_SEQNO = m -> concat(m.from().bytes(), m.seqno());

    /**
     * The author's protobuf-encoded public key, then the seqno, as js-libp2p-gossipsub computes it: the key
     * inlined in {@code from}, else the message's {@code key} field, else (no key known) the {@code from} bytes.
     */
    MessageIdFunction PUBLIC_KEY_AND_SEQNO = m -> {
        Optional<byte[]> key = m.from().publicKey().map(k -> k.toProtobuf());
        byte[] author = key.orElseGet(() -> m.key() != null ? m.key() : m.from().bytes());
        return concat(author, m.seqno());
    };

    /**
     * @param message a message with {@code from} and {@code seqno} present
     * @return its id
     */
    MessageId apply(PubsubMessage message);

    private static MessageId concat(byte[] author, byte[] seqno) {
        byte[] id = Arrays.copyOf(author, author.length + seqno.length);
        System.arraycopy(seqno, 0, id, author.length, seqno.length);
        return new MessageId(id);
    }
}
