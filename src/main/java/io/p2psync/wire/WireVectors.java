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
}
