package io.p2psync.p2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.noise.pb.NoiseProto;
import java.nio.charset.StandardCharsets;

/**
 * The libp2p handshake payload: the sender's identity key and its signature over the sender's Noise
 * static key (noise/README.md, "The libp2p Handshake Payload"). Extensions are neither sent nor used.
 *
 * @param identityKey the sender's libp2p identity
 * @param signature Ed25519 signature over {@code "noise-libp2p-static-key:" || static key}
 */
record HandshakePayload(PublicKey identityKey, byte[] signature) {

    private static final byte[] SIGNATURE_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

    HandshakePayload {
        if (identityKey == null || signature == null) {
            throw new NoiseException("handshake payload lacks an identity key or signature");
        }
        signature = signature.clone();
    }

    static HandshakePayload sign(PrivateKey identity, byte[] noiseStaticKey) {
        return new HandshakePayload(identity.publicKey(), identity.sign(signedBytes(noiseStaticKey)));
    }

    /** True if the signature binds {@code noiseStaticKey} to the identity key. */
    boolean verifies(byte[] noiseStaticKey) {
        return identityKey.verify(signedBytes(noiseStaticKey), signature);
    }

    byte[] toWire() {
        return NoiseProto.NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(identityKey.toProtobuf()))
                .setIdentitySig(ByteString.copyFrom(signature))
                .build()
                .toByteArray();
    }

    /** @throws NoiseException for a malformed payload or an identity key that is not Ed25519 */
    static HandshakePayload fromWire(byte[] bytes) {
        try {
            NoiseProto.NoiseHandshakePayload pb = NoiseProto.NoiseHandshakePayload.parseFrom(bytes);
            if (!pb.hasIdentityKey() || !pb.hasIdentitySig()) {
                throw new NoiseException("handshake payload lacks an identity key or signature");
            }
            return new HandshakePayload(PublicKey.fromProtobuf(pb.getIdentityKey().toByteArray()),
                    pb.getIdentitySig().toByteArray());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new NoiseException("malformed handshake payload: " + e.getMessage(), e);
        }
    }

    private static byte[] signedBytes(byte[] noiseStaticKey) {
        byte[] out = new byte[SIGNATURE_PREFIX.length + noiseStaticKey.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, out, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(noiseStaticKey, 0, out, SIGNATURE_PREFIX.length, noiseStaticKey.length);
        return out;
    }
}
