package io.p2psync.changes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Causality between the entries of one row, ahead of any clock: an entry made on top of another (its base
 * covers the other's own vector) replaces it, whatever their clocks say. Only entries that are not replaced
 * by another (the frontier) compete, and only they fall back to the later clock. Identical first seals of the
 * row count as one write ({@link Twins}): an entry made on top of one of them replaces all of them.
 */
public final class Causality {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The later write: greater hybrid clock, then greater origin id (a total order on entries). */
    public static final Comparator<ChangeEntry> BY_CLOCK =
            Comparator.comparingLong(ChangeEntry::hlc).thenComparing(ChangeEntry::origin);

    private Causality() {
    }

    /** True if {@code later} was made on top of {@code earlier}: its base covers {@code earlier}'s vector. */
    public static boolean covers(ChangeEntry later, ChangeEntry earlier) {
        return later != earlier && later.base().dominates(earlier.vector());
    }

    /**
     * The entries no other entry of the collection covers, in the collection's order, twins of the row
     * counting as one write ({@link Twins}, found among the entries).
     */
    public static List<ChangeEntry> frontier(Collection<ChangeEntry> entries) {
        return frontier(entries, null);
    }

    /**
     * As {@link #frontier(Collection)}, with the twins of the row given (null: found among the entries, and
     * only if more than one entry is left after plain causality).
     */
    public static List<ChangeEntry> frontier(Collection<ChangeEntry> entries, Twins twins) {
        List<ChangeEntry> out = new ArrayList<>();
        for (ChangeEntry e : entries) {
            if (entries.stream().noneMatch(other -> covers(other, e))) {
                out.add(e);
            }
        }
        if (out.size() < 2) {
            return out; // one write on top of all the others: twins change nothing
        }
        Twins t = twins != null ? twins : Twins.among(entries);
        if (t.isEmpty()) {
            return out;
        }
        // An entry covered by way of a twin is covered by one of the entries left: coverage only grows with the
        // base, so whatever covers the coverer covers the entry too.
        List<ChangeEntry> left = out;
        return left.stream().filter(e -> left.stream().noneMatch(other -> t.covers(other, e))).toList();
    }

    /** The frontier's latest entry by clock, empty for no entries. */
    public static Optional<ChangeEntry> winner(Collection<ChangeEntry> entries) {
        return winner(entries, null);
    }

    /** As {@link #winner(Collection)}, with the twins of the row given (null: found among the entries). */
    public static Optional<ChangeEntry> winner(Collection<ChangeEntry> entries, Twins twins) {
        return frontier(entries, twins).stream().max(BY_CLOCK);
    }

    /**
     * The columns an entry wrote: every column of its row for an INSERT or when its changed columns are
     * unknown; its changed columns for an UPDATE; none for a DELETE.
     *
     * @param rowColumns the columns of the entry's row data
     */
    public static Set<String> writtenColumns(ChangeEntry e, Set<String> rowColumns) {
        if (e.operation() == Operation.DELETE) {
            return Set.of();
        }
        if (e.operation() == Operation.INSERT || e.changedColumns() == null) {
            return rowColumns;
        }
        JsonNode list;
        try {
            list = JSON.readTree(e.changedColumns());
        } catch (JacksonException notJson) {
            return rowColumns;
        }
        if (!list.isArray()) {
            return rowColumns;
        }
        Set<String> changed = new LinkedHashSet<>();
        for (JsonNode c : list) {
            if (rowColumns.contains(c.asString())) {
                changed.add(c.asString());
            }
        }
        return changed;
    }

    /**
     * The write that holds {@code column} among {@code entries}: of those that wrote it, the ones no other
     * writer of it covers (twins counting as one write), and of them the latest by clock. Entries whose data
     * does not decode, and entries held whole, are left out, as {@code ColumnMerge} leaves them out.
     */
    static Optional<ChangeEntry> latestWriterOf(String column, List<ChangeEntry> entries, HeldEntries held) {
        List<ChangeEntry> writers = new ArrayList<>();
        for (ChangeEntry e : entries) {
            if (e.data() == null) {
                continue;
            }
            boolean heldWhole = held.find(EntryRef.of(e)).map(h -> !h.partial()).orElse(false);
            if (heldWhole) {
                continue;
            }
            try {
                if (writtenColumns(e, SqlValues.decodeRow(e.data()).keySet()).contains(column)) {
                    writers.add(e);
                }
            } catch (IllegalArgumentException undecodable) {
                // left out, the same way on every device
            }
        }
        return winner(writers);
    }
}
