package io.p2psync.p2p.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * The Ed25519 keys inside peer ids, decoded once. Checking a signature against a peer id otherwise parses the
 * id's base58 and decompresses the key's curve point each time, about a tenth of the check; a sync round checks
 * one signature per group, and nearly all of them are of the few devices a person owns.
 */
public final class VerifyingKeys {

    /** Peer ids whose key is kept; more than one person's devices ever sign, fewer than a flood of made-up ids. */
    private static final int KEPT = 1_024;
    private static final Cache<String, Optional<Ed25519PublicKeyParameters>> KEYS =
            Caffeine.newBuilder().maximumSize(KEPT).build();

    private VerifyingKeys() {
    }

    /**
     * True if {@code signature} is the Ed25519 signature of the key inside the peer id {@code peerId} over
     * {@code message}; false for a peer id that is malformed or holds no Ed25519 key, for a key that is not a
     * point of the curve, and for any malformed signature.
     */
    public static boolean verify(String peerId, byte[] message, byte[] signature) {
        return KEYS.get(peerId, VerifyingKeys::decode)
                .map(point -> PublicKey.verify(point, message, signature))
                .orElse(false);
    }

    private static Optional<Ed25519PublicKeyParameters> decode(String peerId) {
        try {
            return PeerId.parse(peerId).publicKey().flatMap(PublicKey::point);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
