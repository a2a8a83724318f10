package io.p2psync.p2p.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p peer id: the multihash of a protobuf-encoded public key, written in base58btc.
 *
 * <p>Keys whose encoding is at most 42 bytes (Ed25519 among them) use the identity multihash, so the id
 * carries the key itself and an id alone is enough to verify a signature (peer-ids spec, "Peer Ids").
 *
 * <p>Its text is worked out once: base58 is a division per character, and ids are written out wherever an
 * entry, a row state or a request names its device.
 */
public final class PeerId implements Comparable<PeerId> {

    private static final int IDENTITY = 0x00;
    private static final int SHA2_256 = 0x12;
    private static final int MAX_INLINE_KEY = 42;

    private final byte[] bytes;
    private volatile String text;

    /** @param bytes the multihash */
    public PeerId(byte[] bytes) {
        if (bytes == null || bytes.length < 2 || (bytes[1] & 0xff) != bytes.length - 2) {
            throw new IllegalArgumentException("not a multihash");
        }
        if ((bytes[1] & 0x80) != 0) {
            // the digest length is an unsigned varint: a byte with its top bit set is not a whole one
            throw new IllegalArgumentException("multihash length is not a one-byte varint");
        }
        int code = bytes[0] & 0xff;
        if (code != IDENTITY && code != SHA2_256) {
            throw new IllegalArgumentException("unsupported multihash code 0x" + Integer.toHexString(code));
        }
        if (code == SHA2_256 && bytes.length != 34) {
            throw new IllegalArgumentException("a sha2-256 multihash has 32 bytes of digest");
        }
        this.bytes = bytes.clone();
    }

    /** The multihash (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public static PeerId fromPublicKey(PublicKey key) {
        byte[] encoded = key.toProtobuf();
        if (encoded.length <= MAX_INLINE_KEY) {
            return new PeerId(multihash(IDENTITY, encoded));
        }
        try {
            return new PeerId(multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(encoded)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The longest text {@link #parse} reads: the base58 form of the longest multihash accepted (2 + 127 bytes,
     * the first of them zero) has at most 176 characters. Longer text is refused before decoding, because
     * base58 decoding takes time quadratic in the length and peer ids arrive from the network (request
     * headers, entry origins, mDNS).
     */
    public static final int MAX_TEXT_LENGTH = 176;

    /**
     * Parses the base58btc form ({@code 12D3KooW…} or {@code Qm…}).
     *
     * @throws IllegalArgumentException if the text is not a peer id, or longer than {@link #MAX_TEXT_LENGTH}
     */
    public static PeerId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty peer id");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("a peer id has at most " + MAX_TEXT_LENGTH + " characters, got "
                    + text.length());
        }
        return new PeerId(Base58.decode(text));
    }

    /** The public key carried inline, or empty for a hashed id. */
    public Optional<PublicKey> publicKey() {
        if ((bytes[0] & 0xff) != IDENTITY) {
            return Optional.empty();
        }
        try {
            return Optional.of(PublicKey.fromProtobuf(Arrays.copyOfRange(bytes, 2, bytes.length)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True if this id names {@code key}. */
    public boolean matches(PublicKey key) {
        return equals(fromPublicKey(key));
    }

    private static byte[] multihash(int code, byte[] digest) {
        byte[] out = new byte[digest.length + 2];
        out[0] = (byte) code;
        out[1] = (byte) digest.length;
        System.arraycopy(digest, 0, out, 2, digest.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(PeerId o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        String known = text;
        if (known == null) {
            text = known = Base58.encode(bytes);
        }
        return known;
    }
}
