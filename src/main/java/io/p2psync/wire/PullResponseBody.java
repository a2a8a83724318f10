package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import java.util.List;
import java.util.Map;

/**
 * Answer to {@code POST /sync/pull} (docs/protocol.md).
 *
 * @param format       the wire format, {@link WireFormat#CURRENT}; absent means 1
 * @param entries      entries the caller lacks, oldest first per origin
 * @param serverVector what the server holds
 * @param more         true if the server has more the caller lacks beyond this page
 */
@JsonPropertyOrder({"format", "entries", "serverVector", "more"})
public record PullResponseBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("entries") List<WireEntry> entries,
        @JsonProperty("serverVector") Map<String, Long> serverVector,
        @JsonProperty("more") boolean more) {

    public PullResponseBody {
        WireFormat.check(format);
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    public static PullResponseBody of(List<ChangeEntry> entries, VersionVector serverVector, boolean more) {
        return new PullResponseBody(WireFormat.CURRENT, WireEntry.of(entries), WireVectors.of(serverVector), more);
    }

    /** @throws IllegalArgumentException if an entry or the vector is malformed */
    public List<ChangeEntry> domainEntries() {
        return WireEntry.toDomain(entries);
    }

    /** @throws IllegalArgumentException if the vector is malformed */
    public VersionVector server() {
        return WireVectors.toDomain(serverVector);
    }
}
