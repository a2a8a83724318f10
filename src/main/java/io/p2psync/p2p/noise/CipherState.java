package io.p2psync.p2p.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (spec section 5.1) with ChaChaPoly: a key, or none yet, and a 64-bit nonce
 * counter. Not thread-safe; each direction of a session owns one, used on its event loop.
 */
final class CipherState {

    static final int TAG_LENGTH = 16;
    static final int KEY_LENGTH = 32;

    private final Cipher cipher;
    private SecretKeySpec key;
    private long nonce;

    CipherState() {
        try {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks ChaCha20-Poly1305", e);
        }
    }

    void initializeKey(byte[] k) {
        key = new SecretKeySpec(k, "ChaCha20");
        nonce = 0;
    }

    boolean hasKey() {
        return key != null;
    }

    /** Encrypts with the next nonce; returns the plaintext itself while there is no key. */
    byte[] encryptWithAd(byte[] ad, byte[] plaintext, int offset, int length) {
        if (key == null) {
            return java.util.Arrays.copyOfRange(plaintext, offset, offset + length);
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, nextNonce());
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return cipher.doFinal(plaintext, offset, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
        }
    }

    /**
     * Decrypts and authenticates with the next nonce.
     *
     * @throws NoiseException if the tag does not verify; the nonce is not advanced then
     */
    byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int offset, int length) {
        if (key == null) {
            return java.util.Arrays.copyOfRange(ciphertext, offset, offset + length);
        }
        if (length < TAG_LENGTH) {
            throw new NoiseException("ciphertext shorter than its tag");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, nonceSpec(nonce));
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            byte[] plaintext = cipher.doFinal(ciphertext, offset, length);
            nonce++;
            return plaintext;
        } catch (AEADBadTagException e) {
            throw new NoiseException("message failed authentication", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
        }
    }

    private IvParameterSpec nextNonce() {
        return nonceSpec(nonce++);
    }

    /** The ChaChaPoly nonce: 32 bits of zeros, then the counter as a little-endian 64-bit integer. */
    private static IvParameterSpec nonceSpec(long n) {
        if (n == -1L) {
            // 2^64 - 1 is reserved (spec 5.1); a session never gets near it, but never reuse a nonce.
            throw new NoiseException("nonce space exhausted");
        }
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (8 * i));
        }
        return new IvParameterSpec(iv);
    }
}
