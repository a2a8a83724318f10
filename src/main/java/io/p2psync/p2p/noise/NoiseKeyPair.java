package io.p2psync.p2p.noise;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair for Noise's DH functions (spec section 4.1).
 *
 * @param privateKey 32 random bytes (clamped by X25519 when used)
 * @param publicKey the matching 32-byte u-coordinate
 */
record NoiseKeyPair(byte[] privateKey, byte[] publicKey) {

    static final int KEY_LENGTH = X25519.POINT_SIZE;
    private static final SecureRandom RANDOM = new SecureRandom();

    NoiseKeyPair {
        if (privateKey.length != KEY_LENGTH || publicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("X25519 keys have 32 bytes");
        }
    }

    static NoiseKeyPair generate() {
        byte[] privateKey = new byte[KEY_LENGTH];
        RANDOM.nextBytes(privateKey);
        return fromPrivateKey(privateKey);
    }

    static NoiseKeyPair fromPrivateKey(byte[] privateKey) {
        byte[] publicKey = new byte[KEY_LENGTH];
        X25519.scalarMultBase(privateKey, 0, publicKey, 0);
        return new NoiseKeyPair(privateKey.clone(), publicKey);
    }

    /**
     * DH(this, remote).
     *
     * @throws NoiseException if the result is all zeros (a low-order remote key, RFC 7748 section 6.1)
     */
    byte[] dh(byte[] remotePublicKey) {
        byte[] shared = new byte[KEY_LENGTH];
        if (!X25519.calculateAgreement(privateKey, 0, remotePublicKey, 0, shared, 0)) {
            throw new NoiseException("peer sent a low-order X25519 key");
        }
        return shared;
    }
}
