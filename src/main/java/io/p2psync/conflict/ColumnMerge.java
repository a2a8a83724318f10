package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@link ConflictPolicy#MERGE} rule: a row computed from every entry this device holds for it. Each
 * column is a last-writer-wins register: it holds the value of the latest entry (by {@link WriteClock})
 * that wrote it, where an INSERT (or an entry with unknown changed columns) writes every column and an
 * UPDATE writes its changed columns. Whether the row exists is decided by the latest entry of any kind: a
 * DELETE that is later than every other write leaves a tombstone; an edit later than the delete brings the
 * row back with each column's latest value.
 *
 * <p>Being a function of the set of entries, the result cannot depend on the order they arrived in, and it
 * agrees with plain "apply the successor" because a successor always has the later clock.
 */
final class ColumnMerge {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The merged row.
     *
     * @param top          the latest entry of any kind; it names the row's current writer
     * @param data         the row as a JSON object, or null for a tombstone
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
     * Merges all entries of one row. An entry whose data is not a JSON object (only a faulty or hostile origin
     * makes one; its hash and signature still hold) is left out, the same way on every device.
     *
     * @param entries every entry this device holds for the row, in any order
     * @return the merged row, or null if no entry could be used
     */
    static Merged merge(Collection<ChangeEntry> entries) {
        ChangeEntry top = null;
        ChangeEntry latestEdit = null;
        Map<String, ChangeEntry> writers = new TreeMap<>();
        Map<ChangeEntry, ObjectNode> parsed = new LinkedHashMap<>();
        for (ChangeEntry e : entries) {
            ObjectNode row = e.operation() == Operation.DELETE ? null : parse(e);
            if (e.operation() != Operation.DELETE && row == null) {
                continue;
            }
            WriteClock clock = WriteClock.of(e);
            if (top == null || clock.isAfter(WriteClock.of(top))) {
                top = e;
            }
            if (row == null) {
                continue;
            }
            if (latestEdit == null || clock.isAfter(WriteClock.of(latestEdit))) {
                latestEdit = e;
            }
            parsed.put(e, row);
            for (String column : writtenColumns(e, row)) {
                ChangeEntry current = writers.get(column);
                if (current == null || clock.isAfter(WriteClock.of(current))) {
                    writers.put(column, e);
                }
            }
        }
        if (top == null) {
            return null;
        }
        Map<String, WriteClock> clocks = new TreeMap<>();
        writers.forEach((column, e) -> clocks.put(column, WriteClock.of(e)));
        if (top.operation() == Operation.DELETE) {
            return new Merged(top, null, clocks);
        }
        // Start from the latest edit's whole row so a column no entry here wrote still has a value.
        ObjectNode result = parsed.get(latestEdit).deepCopy();
        writers.forEach((column, e) -> result.set(column, parsed.get(e).get(column)));
        return new Merged(top, JSON.writeValueAsString(result), clocks);
    }

    /** The entry's row, or null if its data is not a JSON object. */
    private static ObjectNode parse(ChangeEntry e) {
        try {
            return JSON.readTree(e.data()) instanceof ObjectNode object ? object : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    private static Set<String> writtenColumns(ChangeEntry e, ObjectNode row) {
        Set<String> all = new TreeSet<>(row.propertyNames());
        if (e.operation() == Operation.INSERT || e.changedColumns() == null) {
            return all;
        }
        JsonNode list;
        try {
            list = JSON.readTree(e.changedColumns());
        } catch (JacksonException notJson) {
            return all; // unreadable: treat as unknown, like null
        }
        if (!list.isArray()) {
            return all;
        }
        Set<String> changed = new TreeSet<>();
        for (JsonNode c : list) {
            if (all.contains(c.asString())) {
                changed.add(c.asString());
            }
        }
        return changed;
    }
}
