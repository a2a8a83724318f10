package io.p2psync.p2p.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.pb.CryptoProto;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 private key. Signing is thread-safe: each call uses its own signer.
 */
public final class PrivateKey {

    private final Ed25519PrivateKeyParameters params;
    private final PublicKey publicKey;

    private PrivateKey(byte[] seed) {
        this.params = new Ed25519PrivateKeyParameters(seed, 0);
        this.publicKey = new PublicKey(params.generatePublicKey().getEncoded());
    }

    public static PrivateKey generate() {
        byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
        new SecureRandom().nextBytes(seed);
        return new PrivateKey(seed);
    }

    /** @param seed the 32-byte RFC 8032 private key */
    public static PrivateKey fromSeed(byte[] seed) {
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 seed has 32 bytes");
        }
        return new PrivateKey(seed);
    }

    /**
     * Reads the libp2p protobuf encoding, whose Data is the seed followed by the public key (64 bytes);
     * a bare 32-byte seed is accepted too.
     *
     * @throws IllegalArgumentException if the encoding is malformed or the embedded public key does not
     *     belong to the seed
     */
    public static PrivateKey fromProtobuf(byte[] encoded) {
        try {
            CryptoProto.PrivateKey pb = CryptoProto.PrivateKey.parseFrom(encoded);
            if (pb.getType() != CryptoProto.KeyType.Ed25519) {
                throw new IllegalArgumentException("unsupported key type " + pb.getType());
            }
            byte[] data = pb.getData().toByteArray();
            if (data.length != 64 && data.length != 32) {
                throw new IllegalArgumentException("an Ed25519 private key has 64 bytes, got " + data.length);
            }
            PrivateKey key = new PrivateKey(Arrays.copyOf(data, 32));
            if (data.length == 64 && !Arrays.equals(Arrays.copyOfRange(data, 32, 64), key.publicKey.raw())) {
                throw new IllegalArgumentException("the embedded public key does not belong to the private key");
            }
            return key;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed private key: " + e.getMessage(), e);
        }
    }

    /** The libp2p protobuf encoding: Data = seed (32 bytes) || public key (32 bytes). */
    public byte[] toProtobuf() {
        byte[] data = new byte[64];
        System.arraycopy(params.getEncoded(), 0, data, 0, 32);
        System.arraycopy(publicKey.raw(), 0, data, 32, 32);
        return CryptoProto.PrivateKey.newBuilder()
                .setType(CryptoProto.KeyType.Ed25519)
                .setData(ByteString.copyFrom(data))
                .build()
                .toByteArray();
    }

    /** A 64-byte Ed25519 signature over {@code message}. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, params);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public PeerId peerId() {
        return publicKey.peerId();
    }

    @Override
    public String toString() {
        return "PrivateKey[" + peerId() + "]";
    }
}
