package io.p2psync.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.VersionVector;
import java.util.ArrayList;
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
 * @param formerColumns per table, what became of the columns the server's node saw go: {@code renamedTo} (a former
 *                     name to the name that column has now there) and {@code dropped}; absent when there is none
 *                     (and from older servers)
 */
@JsonPropertyOrder({"format", "entries", "serverVector", "more", "tooLarge", "serverHeads", "formerColumns"})
public record PullResponseBody(
        @JsonProperty("format") Integer format,
        @JsonProperty("entries") List<WireEntry> entries,
        @JsonProperty("serverVector") Map<String, Long> serverVector,
        @JsonProperty("more") boolean more,
        @JsonProperty("tooLarge") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TooLarge> tooLarge,
        @JsonProperty("serverHeads") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> serverHeads,
        @JsonProperty("formerColumns") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        Map<String, Gone> formerColumns) {

    /** The most former columns an answer may name, over all tables: far more than an app's migrations make. */
    public static final int MAX_FORMER_COLUMNS = 1_000;

    public PullResponseBody {
        WireFormat.check(format);
        entries = entries == null ? List.of() : List.copyOf(entries);
        tooLarge = tooLarge == null ? List.of() : List.copyOf(tooLarge);
    }

    public PullResponseBody(Integer format, List<WireEntry> entries, Map<String, Long> serverVector, boolean more,
                            List<TooLarge> tooLarge) {
        this(format, entries, serverVector, more, tooLarge, null, null);
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
        return of(entries, serverVector, more, tooLarge, serverHeads, Map.of());
    }

    public static PullResponseBody of(List<ChangeEntry> entries, VersionVector serverVector, boolean more,
                                      List<LogPage.TooLarge> tooLarge, Map<String, String> serverHeads,
                                      Map<String, FormerColumns> formerColumns) {
        // at most MAX_FORMER_COLUMNS names, renames first (what a caller takes in), so no answer is one its own
        // readers refuse
        Map<String, Gone> gone = new java.util.TreeMap<>();
        int[] left = {MAX_FORMER_COLUMNS};
        new java.util.TreeMap<>(formerColumns).forEach((table, f) -> {
            Map<String, String> renamed = new java.util.TreeMap<>();
            new java.util.TreeMap<>(f.renamedTo()).forEach((from, to) -> {
                if (left[0] > 0) {
                    renamed.put(from, to);
                    left[0]--;
                }
            });
            gone.put(table, new Gone(renamed, new ArrayList<>()));
        });
        new java.util.TreeMap<>(formerColumns).forEach((table, f) -> f.dropped().stream().sorted().forEach(d -> {
            if (left[0] > 0) {
                gone.get(table).dropped().add(d);
                left[0]--;
            }
        }));
        gone.values().removeIf(g -> g.renamedTo().isEmpty() && g.dropped().isEmpty());
        return new PullResponseBody(WireFormat.CURRENT, WireEntry.of(entries), WireVectors.of(serverVector), more,
                tooLarge.stream().map(t -> new TooLarge(t.origin(), t.version(), t.size())).toList(),
                serverHeads.isEmpty() ? null : new java.util.TreeMap<>(serverHeads), gone.isEmpty() ? null : gone);
    }

    /**
     * @throws IllegalArgumentException if a table or column name is blank, a column is renamed to itself or both
     *                                  renamed and dropped, or there are more than {@link #MAX_FORMER_COLUMNS}
     */
    public Map<String, FormerColumns> domainFormerColumns() {
        if (formerColumns == null || formerColumns.isEmpty()) {
            return Map.of();
        }
        Map<String, FormerColumns> out = new java.util.LinkedHashMap<>();
        int count = 0;
        for (Map.Entry<String, Gone> table : formerColumns.entrySet()) {
            FormerColumns f = table.getValue() == null ? null : table.getValue().toDomain();
            if (table.getKey() == null || table.getKey().isBlank() || f == null) {
                throw new IllegalArgumentException("formerColumns names a blank table or malformed columns of "
                        + table.getKey());
            }
            count += f.renamedTo().size() + f.dropped().size();
            out.put(table.getKey(), f);
        }
        if (count > MAX_FORMER_COLUMNS) {
            throw new IllegalArgumentException("formerColumns names " + count + " columns, more than "
                    + MAX_FORMER_COLUMNS);
        }
        return Map.copyOf(out);
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
     * What became of a table's former columns on the server.
     *
     * @param renamedTo a former name to the name that column has now
     * @param dropped   former names whose column was dropped
     */
    @JsonPropertyOrder({"renamedTo", "dropped"})
    public record Gone(
            @JsonProperty("renamedTo") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> renamedTo,
            @JsonProperty("dropped") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> dropped) {

        /** Null if a name is blank, a column is renamed to itself, or one is both renamed and dropped. */
        FormerColumns toDomain() {
            Map<String, String> renamed = renamedTo == null ? Map.of() : renamedTo;
            List<String> gone = dropped == null ? List.of() : dropped;
            for (Map.Entry<String, String> r : renamed.entrySet()) {
                if (blank(r.getKey()) || blank(r.getValue()) || r.getKey().equals(r.getValue())) {
                    return null;
                }
            }
            if (gone.stream().anyMatch(d -> blank(d) || renamed.containsKey(d))) {
                return null;
            }
            return new FormerColumns(renamed, java.util.Set.copyOf(gone));
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }
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
