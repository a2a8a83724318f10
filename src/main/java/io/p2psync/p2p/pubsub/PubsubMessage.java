package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One pubsub message as the application and the router see it (pubsub/README.md, "The Message").
 *
 * <p>A message read from the wire may lack any of the origin-stamp and signature fields; {@link MessageSigner}
 * decides whether it is acceptable. Messages this node publishes
 * always carry {@code from}, an 8-byte {@code seqno} and a signature (StrictSign). Its id comes from the
 * router's {@link MessageIdFunction}.
 *
 * @param from the author (not the peer that forwarded it), or null if absent on the wire
 * @param seqno the author's sequence number, 8 bytes big-endian when well-formed, or null if absent
 * @param topic the topic; never null
 * @param data the payload; empty, never null
 * @param signature the Ed25519 signature over the {@code libp2p-pubsub:}-prefixed encoding, or null
 * @param key the author's protobuf public key when it is not inlined in {@code from}, or null
 */
public record PubsubMessage(PeerId from, byte[] seqno, String topic, byte[] data, byte[] signature, byte[] key) {

    public PubsubMessage {
        Objects.requireNonNull(topic, "topic");
        data = data == null ? new byte[0] : data.clone();
        seqno = seqno == null ? null : seqno.clone();
        signature = signature == null ? null : signature.clone();
        key = key == null ? null : key.clone();
    }

    /** The sequence number as an unsigned 64-bit value, or -1 if it is absent or not 8 bytes. */
    public long seqnoValue() {
        return seqno != null && seqno.length == Long.BYTES ? ByteBuffer.wrap(seqno).getLong() : -1;
    }

    @Override
    public byte[] seqno() {
        return seqno == null ? null : seqno.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] signature() {
        return signature == null ? null : signature.clone();
    }

    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** The payload length in bytes, without copying it. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PubsubMessage m
                && Objects.equals(from, m.from)
                && Arrays.equals(seqno, m.seqno)
                && topic.equals(m.topic)
                && Arrays.equals(data, m.data)
                && Arrays.equals(signature, m.signature)
                && Arrays.equals(key, m.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, Arrays.hashCode(seqno), topic, Arrays.hashCode(data), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "PubsubMessage[from=" + from + ", seqno=" + (seqno == null ? null : HexFormat.of().formatHex(seqno))
                + ", topic=" + topic + ", " + data.length + " bytes" + (signature == null ? ", unsigned" : "") + "]";
    }
}
