package io.p2psync.wire;

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
 */
@JsonPropertyOrder({"format", "vector", "limit"})
public record PullRequestBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("vector") Map<String, Long> vector,
        @JsonProperty("limit") Integer limit) {

    public PullRequestBody {
        WireFormat.check(format);
    }

    public static PullRequestBody of(VersionVector vector, Integer limit) {
        return new PullRequestBody(WireFormat.CURRENT, WireVectors.of(vector), limit);
    }

    /** @throws IllegalArgumentException if the vector holds a blank origin or a negative version */
    public VersionVector known() {
        return WireVectors.toDomain(vector);
    }
}
