package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.VersionVector;
import java.util.Map;

/** Unsigned entries for tests of pure rules; hash and signature are placeholders, never checked there. */
final class TestEntries {

    private static final String HASH = "0".repeat(64);

    private TestEntries() {
    }

    static ChangeEntry entry(String origin, long version, long hlc, Operation op, String data, String changed,
            VersionVector base, Kind kind) {
        return new ChangeEntry(origin, version, hlc, hlc >>> 16, "t", "1", op, kind, data, changed, base,
                version == 1 ? null : HASH, HASH, "sig");
    }

    static ChangeEntry insert(String origin, long version, long hlc, String data) {
        return entry(origin, version, hlc, Operation.INSERT, data, null, VersionVector.EMPTY, Kind.EDIT);
    }

    static ChangeEntry update(String origin, long version, long hlc, String data, String changed, VersionVector base) {
        return entry(origin, version, hlc, Operation.UPDATE, data, changed, base, Kind.EDIT);
    }

    static ChangeEntry delete(String origin, long version, long hlc, VersionVector base) {
        return entry(origin, version, hlc, Operation.DELETE, null, null, base, Kind.EDIT);
    }

    static VersionVector vv(Object... originVersion) {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        for (int i = 0; i < originVersion.length; i += 2) {
            m.put((String) originVersion[i], ((Number) originVersion[i + 1]).longValue());
        }
        return VersionVector.of(Map.copyOf(m));
    }
}
