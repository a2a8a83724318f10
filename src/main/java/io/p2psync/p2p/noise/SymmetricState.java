package io.p2psync.p2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise SymmetricState (spec section 5.2) for SHA256: the chaining key, the handshake hash and the
 * CipherState they key.
 */
final class SymmetricState {

    static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
    static final int HASH_LENGTH = 32;

    private final CipherState cipher = new CipherState();
    private byte[] chainingKey;
    private byte[] hash;

    SymmetricState() {
        byte[] name = PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII);
        // A name of at most HASHLEN bytes is padded with zeros instead of hashed; this one is exactly 32.
        hash = java.util.Arrays.copyOf(name, HASH_LENGTH);
        chainingKey = hash.clone();
    }

    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(chainingKey, inputKeyMaterial);
        chainingKey = out[0];
        cipher.initializeKey(out[1]);
    }

    void mixHash(byte[] data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(hash);
            sha.update(data);
            hash = sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipher.encryptWithAd(hash, plaintext, 0, plaintext.length);
        mixHash(ciphertext);
        return ciphertext;
    }

    byte[] decryptAndHash(byte[] ciphertext) {
        byte[] plaintext = cipher.decryptWithAd(hash, ciphertext, 0, ciphertext.length);
        mixHash(ciphertext);
        return plaintext;
    }

    /** Bytes a value of {@code plaintextLength} takes on the wire at this point of the handshake. */
    int encryptedLength(int plaintextLength) {
        return plaintextLength + (cipher.hasKey() ? CipherState.TAG_LENGTH : 0);
    }

    /** The two transport CipherStates: initiator-to-responder first. */
    CipherState[] split() {
        byte[][] keys = hkdf(chainingKey, new byte[0]);
        CipherState first = new CipherState();
        first.initializeKey(keys[0]);
        CipherState second = new CipherState();
        second.initializeKey(keys[1]);
        return new CipherState[] {first, second};
    }

    byte[] handshakeHash() {
        return hash.clone();
    }

    /** The Noise HKDF with two outputs (spec section 4.3), built on HMAC-SHA256. */
    static byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial) {
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
        byte[] output1 = hmac(tempKey, new byte[] {0x01});
        byte[] input2 = java.util.Arrays.copyOf(output1, output1.length + 1);
        input2[output1.length] = 0x02;
        byte[] output2 = hmac(tempKey, input2);
        return new byte[][] {output1, output2};
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
