package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.PeerId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;

/**
 * A point in the DHT's key space: SHA-256 of a key's bytes (of a peer id's multihash for a peer). The distance of
 * two points is their XOR, read as an unsigned 256-bit number (kad-dht spec, "Distance").
 */
public final class KadKey {

    /** Bits in the key space. */
    public static final int BITS = 256;

    private final byte[] hash;

    private KadKey(byte[] hash) {
        this.hash = hash;
    }

    /** The point of an arbitrary DHT key (a record key, a provider key, a peer id's bytes). */
    public static KadKey of(byte[] key) {
        try {
            return new KadKey(MessageDigest.getInstance("SHA-256").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The point of a peer: SHA-256 of its peer id multihash. */
    public static KadKey of(PeerId peer) {
        return of(peer.bytes());
    }

    /** How many leading bits this and {@code other} share: 256 for the same point, 0 if the first bit differs. */
    public int commonPrefixLength(KadKey other) {
        for (int i = 0; i < hash.length; i++) {
            int x = (hash[i] ^ other.hash[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /**
     * Orders points by their distance to {@code target}, nearest first. Two different points are never at the
     * same distance from one target, so the order is total.
     */
    public static Comparator<KadKey> byDistanceTo(KadKey target) {
        return (a, b) -> {
            for (int i = 0; i < target.hash.length; i++) {
                int da = (a.hash[i] ^ target.hash[i]) & 0xff;
                int db = (b.hash[i] ^ target.hash[i]) & 0xff;
                if (da != db) {
                    return Integer.compare(da, db);
                }
            }
            return 0;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadKey other && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "KadKey[" + HexFormat.of().formatHex(hash, 0, 8) + "…]";
    }
}
