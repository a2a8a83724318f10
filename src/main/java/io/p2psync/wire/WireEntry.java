package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import java.util.List;
import java.util.Map;

/**
 * One change log entry as it travels (docs/protocol.md, "Entries"). The JSON names are fixed here, not taken
 * from {@link ChangeEntry}'s components; {@link #toDomain()} checks the shape and throws
 * {@link IllegalArgumentException} for a malformed entry (content, hash and signature are checked by the
 * applier). {@code continues} is sent only as {@code true} (an entry whose group goes on); absent means the
 * entry ends its group, so entries outside groups look exactly as before. {@code signature} is absent on an
 * entry whose group continues: the group's last entry signs for the whole group.
 */
@JsonPropertyOrder({"origin", "version", "hlc", "timestamp", "table", "recordId", "operation", "kind", "data",
        "changedColumns", "base", "prevHash", "hash", "signature", "continues"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WireEntry(
        @JsonProperty("origin") String origin,
        @JsonProperty("version") long version,
        @JsonProperty("hlc") long hlc,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("table") String table,
        @JsonProperty("recordId") String recordId,
        @JsonProperty("operation") String operation,
        @JsonProperty("kind") String kind,
        @JsonProperty("data") String data,
        @JsonProperty("changedColumns") String changedColumns,
        @JsonProperty("base") Map<String, Long> base,
        @JsonProperty("prevHash") String prevHash,
        @JsonProperty("hash") String hash,
        @JsonProperty("signature") @JsonInclude(JsonInclude.Include.NON_NULL) String signature,
        @JsonProperty("continues") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean continues) {

    public static WireEntry of(ChangeEntry e) {
        return new WireEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation().name(), e.kind().name(), e.data(), e.changedColumns(), WireVectors.of(e.base()),
                e.prevHash(), e.hash(), e.signature(), e.continues() ? Boolean.TRUE : null);
    }

    public static List<WireEntry> of(List<ChangeEntry> entries) {
        return entries.stream().map(WireEntry::of).toList();
    }

    /**
     * The domain entry.
     *
     * @throws IllegalArgumentException if a field is missing or out of range
     */
    public ChangeEntry toDomain() {
        return new ChangeEntry(origin, version, hlc, timestamp, table, recordId, operation(operation),
                kind == null ? Kind.EDIT : kind(kind), data, changedColumns, WireVectors.toDomain(base), prevHash,
                hash, signature, Boolean.TRUE.equals(continues));
    }

    /** Converts every entry; the first malformed one throws. */
    public static List<ChangeEntry> toDomain(List<WireEntry> entries) {
        return entries.stream().map(WireEntry::toDomain).toList();
    }

    private static Operation operation(String name) {
        try {
            return Operation.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("operation must be INSERT, UPDATE or DELETE, was " + name);
        }
    }

    private static Kind kind(String name) {
        try {
            return Kind.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind must be EDIT or RESOLUTION, was " + name);
        }
    }
}
