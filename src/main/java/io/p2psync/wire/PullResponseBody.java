package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.LogPage;
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
 * @param tooLarge     per origin, the first entry the caller lacks that the server does not send because it is
 *                     larger than the server's maximum entry size (nothing after it of that origin is sent
 *                     either); absent when there is none
 * @param serverHeads  the server's chain heads: per origin of {@code serverVector}, the hash of its entry at
 *                     that version, so the caller can see a fork; absent from servers that do not send them
 */
@JsonPropertyOrder({"format", "entries", "serverVector", "more", "tooLarge", "serverHeads"})
public record PullResponseBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("entries") List<WireEntry> entries,
        @JsonProperty("serverVector") Map<String, Long> serverVector,
        @JsonProperty("more") boolean more,
        @JsonProperty("tooLarge") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TooLarge> tooLarge,
        @JsonProperty("serverHeads") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> serverHeads) {

    public PullResponseBody {
        WireFormat.check(format);
        entries = entries == null ? List.of() : List.copyOf(entries);
        tooLarge = tooLarge == null ? List.of() : List.copyOf(tooLarge);
    }

    public PullResponseBody(Integer format, List<WireEntry> entries, Map<String, Long> serverVector, boolean more,
                            List<TooLarge> tooLarge) {
        this(format, entries, serverVector, more, tooLarge, null);
    }

    public static PullResponseBody of(List<ChangeEntry> entries, VersionVector serverVector, boolean more) {
        return of(entries, serverVector, more, List.of(), Map.of());
    }

    public static PullResponseBody of(List<ChangeEntry> entries, VersionVector serverVector, boolean more,
                                      List<LogPage.TooLarge> tooLarge) {
        return of(entries, serverVector, more, tooLarge, Map.of());
    }

    public static PullResponseBody of(List<ChangeEntry> entries, VersionVector serverVector, boolean more,
                                      List<LogPage.TooLarge> tooLarge, Map<String, String> serverHeads) {
        return new PullResponseBody(WireFormat.CURRENT, WireEntry.of(entries), WireVectors.of(serverVector), more,
                tooLarge.stream().map(t -> new TooLarge(t.origin(), t.version(), t.size())).toList(),
                serverHeads.isEmpty() ? null : new java.util.TreeMap<>(serverHeads));
    }

    /** @throws IllegalArgumentException if a head names an origin the vector lacks or is not a hash */
    public Map<String, String> domainHeads() {
        return WireVectors.heads(serverHeads, serverVector);
    }

    /** @throws IllegalArgumentException if an entry or the vector is malformed */
    public List<ChangeEntry> domainEntries() {
        return WireEntry.toDomain(entries);
    }

    /** @throws IllegalArgumentException if the vector is malformed */
    public VersionVector server() {
        return WireVectors.toDomain(serverVector);
    }

    /** @throws IllegalArgumentException if an item is malformed */
    public List<LogPage.TooLarge> domainTooLarge() {
        return tooLarge.stream().map(TooLarge::toDomain).toList();
    }

    /**
     * An entry the server keeps back as too large.
     *
     * @param origin  its origin
     * @param version its version
     * @param size    its size in bytes as the server counts it (an upper bound on its JSON in a body)
     */
    @JsonPropertyOrder({"origin", "version", "size"})
    public record TooLarge(
            @JsonProperty("origin") String origin,
            @JsonProperty("version") long version,
            @JsonProperty("size") long size) {

        LogPage.TooLarge toDomain() {
            if (origin == null || origin.isBlank() || version < 1 || size < 0) {
                throw new IllegalArgumentException("tooLarge needs an origin, a version of at least 1 and a size");
            }
            return new LogPage.TooLarge(origin, version, size);
        }
    }
}
