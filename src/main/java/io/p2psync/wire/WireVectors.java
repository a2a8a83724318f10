package io.p2psync.wire;

import io.p2psync.changes.VersionVector;
import java.util.Map;
import java.util.TreeMap;

/** Version vectors on the wire: a JSON object of origin device id to version, origins sorted. */
public final class WireVectors {

    private WireVectors() {
    }

    public static Map<String, Long> of(VersionVector v) {
        return new TreeMap<>(v.asMap());
    }

    /**
     * The domain vector; null or absent is the empty vector.
     *
     * @throws IllegalArgumentException if an origin is blank or a version negative
     */
    public static VersionVector toDomain(Map<String, Long> v) {
        return v == null ? VersionVector.EMPTY : VersionVector.of(v);
    }

    /**
     * Chain heads as they travel: per origin, the hash of the sender's entry at the version its vector names
     * for that origin; null or absent is none.
     *
     * @throws IllegalArgumentException if a head names an origin the vector lacks, or is not a hash
     */
    public static Map<String, String> heads(Map<String, String> heads, Map<String, Long> vector) {
        if (heads == null || heads.isEmpty()) {
            return Map.of();
        }
        heads.forEach((origin, hash) -> {
            if (vector == null || !vector.containsKey(origin)) {
                throw new IllegalArgumentException("a head names origin " + origin + ", which the vector lacks");
            }
            if (hash == null || !HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException("the head of " + origin + " is not 64 lowercase hex characters");
            }
        });
        return Map.copyOf(heads);
    }

    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{64}");
}
