package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.ChangeEntry;
import java.util.List;

/**
 * Body of {@code POST /sync/push}: entries the server lacks, oldest first per origin (docs/protocol.md).
 *
 * @param format  the wire format, {@link WireFormat#CURRENT}; absent means 1
 * @param entries the entries; required
 */
@JsonPropertyOrder({"format", "entries"})
public record PushRequestBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("entries") List<WireEntry> entries) {

    public PushRequestBody {
        WireFormat.check(format);
        if (entries == null) {
            throw new IllegalArgumentException("entries is required");
        }
        entries = List.copyOf(entries);
    }

    public static PushRequestBody of(List<ChangeEntry> entries) {
        return new PushRequestBody(WireFormat.CURRENT, WireEntry.of(entries));
    }

    /** @throws IllegalArgumentException if an entry is malformed */
    public List<ChangeEntry> domainEntries() {
        return WireEntry.toDomain(entries);
    }
}
