package io.p2psync.conflict.web;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.p2psync.conflict.Conflict;
import java.util.Locale;
import java.util.Map;

/**
 * A conflict as {@code /conflicts} answers it. Row data are JSON objects (null for a deleted row), versions
 * are version vectors (device id to version), times ISO-8601.
 */
record ConflictView(long id, String table, String recordId, String status, String policy, SideView local,
        SideView remote, String resolution, String createdAt, String resolvedAt, String kind) {

    /** One side: the row, its version vector, the device that wrote it, its hybrid clock and entry. */
    record SideView(@JsonRawValue String data, Map<String, Long> version, String deviceId, long hlc, String entry) {

        static SideView of(Conflict.Side s) {
            return new SideView(s.data(), s.version().asMap(), s.deviceId(), s.hlc(), s.entry());
        }
    }

    static ConflictView of(Conflict c) {
        return new ConflictView(c.id(), c.table(), c.recordId(), c.status().dbValue(),
                c.policy().name().toLowerCase(Locale.ROOT), SideView.of(c.local()), SideView.of(c.remote()),
                c.resolution(), c.createdAt().toString(), c.resolvedAt() == null ? null : c.resolvedAt().toString(),
                c.kind().dbValue());
    }
}
