package io.p2psync.p2p.relay;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.relay.pb.CircuitProto;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A reservation voucher: the relay's signed word that {@code peer} holds a slot until {@code expiration}, in a
 * signed envelope (libp2p/specs RFC/0002-signed-envelopes.md) of domain {@value #DOMAIN} and payload type
 * {@code 0x0302} (relay/circuit-v2.md, "Reservation Vouchers"). Advisory in the spec; a client checks it
 * against the relay it reserved on.
 *
 * @param relay the relay that signed it
 * @param peer the peer that holds the reservation
 * @param expiration when the reservation ends, whole seconds
 */
record Voucher(PeerId relay, PeerId peer, Instant expiration) {

    static final String DOMAIN = "libp2p-relay-rsvp";
    /**
     * The code 0x0302 as its two big-endian bytes, as js-libp2p and go-libp2p write it (not as an unsigned varint,
     * which would be {@code 82 06}): what the implementations in use agree on is what interoperates.
     */
    static final byte[] PAYLOAD_TYPE = {0x03, 0x02};

    /** The signed envelope, as the {@code voucher} field of a reservation carries it. */
    byte[] sign(PrivateKey key) {
        if (!key.peerId().equals(relay)) {
            throw new IllegalArgumentException("a voucher is signed by its relay");
        }
        byte[] payload = CircuitProto.ReservationVoucher.newBuilder()
                .setRelay(ByteString.copyFrom(relay.bytes()))
                .setPeer(ByteString.copyFrom(peer.bytes()))
                .setExpiration(expiration.getEpochSecond())
                .build().toByteArray();
        return CircuitProto.Envelope.newBuilder()
                .setPublicKey(ByteString.copyFrom(key.publicKey().toProtobuf()))
                .setPayloadType(ByteString.copyFrom(PAYLOAD_TYPE))
                .setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(key.sign(signedBytes(payload))))
                .build().toByteArray();
    }

    /**
     * Reads and checks a signed voucher.
     *
     * @throws IllegalArgumentException if it is malformed, of another payload type, or its signature does not verify
     *     against the key in it
     */
    static Voucher open(byte[] envelope) {
        try {
            CircuitProto.Envelope wire = CircuitProto.Envelope.parseFrom(envelope);
            if (!wire.getPayloadType().equals(ByteString.copyFrom(PAYLOAD_TYPE))) {
                throw new IllegalArgumentException("not a reservation voucher: payload type "
                        + wire.getPayloadType());
            }
            PublicKey signer = PublicKey.fromProtobuf(wire.getPublicKey().toByteArray());
            byte[] payload = wire.getPayload().toByteArray();
            if (!signer.verify(signedBytes(payload), wire.getSignature().toByteArray())) {
                throw new IllegalArgumentException("the voucher's signature does not verify");
            }
            CircuitProto.ReservationVoucher voucher = CircuitProto.ReservationVoucher.parseFrom(payload);
            PeerId relay = new PeerId(voucher.getRelay().toByteArray());
            if (!relay.equals(signer.peerId())) {
                throw new IllegalArgumentException("the voucher names relay " + relay + " but is signed by "
                        + signer.peerId());
            }
            return new Voucher(relay, new PeerId(voucher.getPeer().toByteArray()),
                    Instant.ofEpochSecond(voucher.getExpiration()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed voucher: " + e.getMessage(), e);
        }
    }

    /** What the signature covers: domain, payload type and payload, each with its varint length first. */
    private static byte[] signedBytes(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] domain = DOMAIN.getBytes(StandardCharsets.UTF_8);
        for (byte[] part : new byte[][] {domain, PAYLOAD_TYPE, payload}) {
            UnsignedVarint.write(part.length, out);
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
