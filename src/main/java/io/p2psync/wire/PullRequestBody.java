package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.VersionVector;
import java.util.Map;

/**
 * Body of {@code POST /sync/pull} (docs/protocol.md).
 *
 * @param format the wire format, {@link WireFormat#CURRENT}; absent means 1
 * @param vector what the caller holds: per origin the highest version it has with no gap; absent means nothing
 * @param limit  the most entries to answer, or absent for the server's default
 * @param heads  the caller's chain heads: per origin of {@code vector}, the hash of its entry at that version,
 *               so the server can see a fork (docs/security.md); absent from callers that do not send them
 */
@JsonPropertyOrder({"format", "vector", "limit", "heads"})
public record PullRequestBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("vector") Map<String, Long> vector,
        @JsonProperty("limit") Integer limit,
        @JsonProperty("heads") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> heads) {

    public PullRequestBody {
        WireFormat.check(format);
    }

    public PullRequestBody(Integer format, Map<String, Long> vector, Integer limit) {
        this(format, vector, limit, null);
    }

    public static PullRequestBody of(VersionVector vector, Integer limit) {
        return of(vector, limit, Map.of());
    }

    public static PullRequestBody of(VersionVector vector, Integer limit, Map<String, String> heads) {
        return new PullRequestBody(WireFormat.CURRENT, WireVectors.of(vector), limit,
                heads.isEmpty() ? null : new java.util.TreeMap<>(heads));
    }

    /** @throws IllegalArgumentException if a head names an origin the vector lacks or is not a hash */
    public Map<String, String> domainHeads() {
        return WireVectors.heads(heads, vector);
    }

    /** @throws IllegalArgumentException if the vector holds a blank origin or a negative version */
    public VersionVector known() {
        return WireVectors.toDomain(vector);
    }
}
