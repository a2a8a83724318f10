package io.p2psync.p2p.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.pb.CryptoProto;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 public key, the only key type this project makes or accepts.
 *
 * @param raw the 32-byte key as defined by RFC 8032
 */
public record PublicKey(byte[] raw) {

    public PublicKey {
        if (raw == null || raw.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** The deterministic libp2p protobuf encoding ({@code PublicKey{Type=Ed25519, Data=raw}}). */
    public byte[] toProtobuf() {
        return CryptoProto.PublicKey.newBuilder()
                .setType(CryptoProto.KeyType.Ed25519)
                .setData(ByteString.copyFrom(raw))
                .build()
                .toByteArray();
    }

    /**
     * Reads the deterministic encoding only (the libp2p peer-id spec's "Keys" section): a key sent with an
     * unknown field, a repeated field, fields out of order or a longer varint than needed would otherwise give
     * one key any number of peer ids, so one device could pose as many, and an alias of a revoked key would
     * not be the revoked device.
     *
     * @throws IllegalArgumentException for a malformed or non-canonical encoding or a key type other than Ed25519
     */
    public static PublicKey fromProtobuf(byte[] encoded) {
        try {
            CryptoProto.PublicKey pb = CryptoProto.PublicKey.parseFrom(encoded);
            if (pb.getType() != CryptoProto.KeyType.Ed25519) {
                throw new IllegalArgumentException("unsupported key type " + pb.getType());
            }
            PublicKey key = new PublicKey(pb.getData().toByteArray());
            if (!Arrays.equals(encoded, key.toProtobuf())) {
                throw new IllegalArgumentException("public key is not in its canonical encoding");
            }
            return key;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed public key: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies an Ed25519 signature over {@code message}; false for any malformed signature, and for a key
     * whose 32 bytes are not a point of the curve (any 32 bytes decode as a key, and no signature verifies
     * against such a one).
     */
    public boolean verify(byte[] message, byte[] signature) {
        return point().map(p -> verify(p, message, signature)).orElse(false);
    }

    /** The key as a decoded curve point, or empty if its 32 bytes are not a point of the curve. */
    Optional<Ed25519PublicKeyParameters> point() {
        try {
            return Optional.of(new Ed25519PublicKeyParameters(raw, 0));
        } catch (IllegalArgumentException notAPoint) {
            return Optional.empty();
        }
    }

    /** Verifies an Ed25519 signature over {@code message} against a decoded key; false for a malformed signature. */
    static boolean verify(Ed25519PublicKeyParameters point, byte[] message, byte[] signature) {
        if (signature == null || signature.length != 64) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, point);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    public PeerId peerId() {
        return PeerId.fromPublicKey(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey other && Arrays.equals(raw, other.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "PublicKey[" + HexFormat.of().formatHex(raw) + "]";
    }
}
