package io.p2psync.conflict;

import io.p2psync.changes.Causality;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.Twins;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rows computed from every entry this device holds for them, causality first ({@link Causality}): a write
 * made on top of another replaces it whatever their clocks say, and only writes that neither saw (the
 * frontier) fall back to the later clock.
 * <ul>
 *   <li>{@link #merge} ({@link ConflictPolicy#MERGE}): each column holds the value of the write of that
 *       column that no other write of it covers, the later clock among several such; an INSERT (or an
 *       entry with unknown changed columns) writes every column, an UPDATE its changed columns. Whether the
 *       row exists is decided the same way among all writes, a DELETE included.</li>
 *   <li>{@link #latest} ({@link ConflictPolicy#TIMESTAMP}): the whole row of the latest write of the
 *       frontier.</li>
 * </ul>
 * Identical first seals of the row (two devices' copies of one file) count as one write ({@link Twins}):
 * a write made on top of one device's copy replaces every device's copy, so the copies' clocks never compete
 * with it. Being functions of the set of entries, the results cannot depend on the order they arrived in.
 */
final class ColumnMerge {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The merged row.
     *
     * @param top          the write that decided whether the row exists; it names the row's current writer
     * @param data         the row ({@link SqlValues#encodeRow}), or null for a tombstone
     * @param columnClocks for each column, the clock of the write its value came from
     */
    record Merged(ChangeEntry top, String data, Map<String, WriteClock> columnClocks) {

        boolean deleted() {
            return data == null;
        }

        /** The column clocks as JSON: column to {"hlc":…,"origin":…}, sorted by column. */
        String columnClocksJson() {
            Map<String, Map<String, Object>> out = new TreeMap<>();
            columnClocks.forEach((c, clock) -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("hlc", clock.hlc());
                v.put("origin", clock.origin());
                out.put(c, v);
            });
            return JSON.writeValueAsString(out);
        }
    }

    private ColumnMerge() {
    }

    /**
     * Merges all entries of one row column by column. An entry whose data does not decode (only a faulty or
     * hostile origin makes one; its hash and signature still hold) is left out, the same way on every device.
     *
     * @param entries every entry this device holds for the row, in any order
     * @return the merged row, or null if no entry could be used
     */
    static Merged merge(Collection<ChangeEntry> entries) {
        Map<ChangeEntry, Map<String, Object>> rows = decoded(entries);
        if (rows.isEmpty()) {
            return null;
        }
        Twins twins = Twins.amongDecoded(rows);
        ChangeEntry top = Causality.winner(rows.keySet(), twins).orElseThrow();
        Map<String, List<ChangeEntry>> writers = new TreeMap<>();
        rows.forEach((e, row) -> {
            if (row != null) {
                Causality.writtenColumns(e, row.keySet()).forEach(c -> writers.computeIfAbsent(c, k -> new ArrayList<>()).add(e));
            }
        });
        Map<String, WriteClock> clocks = new TreeMap<>();
        Map<String, ChangeEntry> holders = new TreeMap<>();
        writers.forEach((column, ws) -> {
            ChangeEntry w = Causality.winner(ws, twins).orElseThrow();
            holders.put(column, w);
            clocks.put(column, WriteClock.of(w));
        });
        if (top.operation() == Operation.DELETE) {
            return new Merged(top, null, clocks);
        }
        // Start from the latest edit's whole row so a column no entry here wrote still has a value.
        List<ChangeEntry> edits = rows.keySet().stream().filter(e -> rows.get(e) != null).toList();
        Map<String, Object> result = new LinkedHashMap<>(rows.get(Causality.winner(edits, twins).orElseThrow()));
        holders.forEach((column, e) -> result.put(column, rows.get(e).get(column)));
        return new Merged(top, SqlValues.encodeRow(result), clocks);
    }

    /**
     * The whole row of the latest write that no other write covers; a tombstone if that write is a DELETE.
     *
     * @return the row, or null if no entry could be used
     */
    static Merged latest(Collection<ChangeEntry> entries) {
        Map<ChangeEntry, Map<String, Object>> rows = decoded(entries);
        if (rows.isEmpty()) {
            return null;
        }
        ChangeEntry top = Causality.winner(rows.keySet(), Twins.amongDecoded(rows)).orElseThrow();
        return new Merged(top, top.operation() == Operation.DELETE ? null : top.data(), Map.of());
    }

    /** Each usable entry with its row (null for a DELETE), in the given order. */
    private static Map<ChangeEntry, Map<String, Object>> decoded(Collection<ChangeEntry> entries) {
        Map<ChangeEntry, Map<String, Object>> rows = new LinkedHashMap<>();
        for (ChangeEntry e : entries) {
            if (e.operation() == Operation.DELETE) {
                rows.put(e, null);
                continue;
            }
            try {
                rows.put(e, SqlValues.decodeRow(e.data()));
            } catch (IllegalArgumentException undecodable) {
                // left out
            }
        }
        return rows;
    }
}
