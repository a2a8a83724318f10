package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
     * Merges all entries of one row.
     *
     * @param entries every entry this device holds for the row, in any order; not empty
     */
    static Merged merge(Collection<ChangeEntry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no entries to merge");
        }
        ChangeEntry top = null;
        ChangeEntry latestEdit = null;
        Map<String, ChangeEntry> writers = new TreeMap<>();
        Map<ChangeEntry, ObjectNode> parsed = new LinkedHashMap<>();
        for (ChangeEntry e : entries) {
            WriteClock clock = WriteClock.of(e);
            if (top == null || clock.isAfter(WriteClock.of(top))) {
                top = e;
            }
            if (e.operation() == Operation.DELETE) {
                continue;
            }
            if (latestEdit == null || clock.isAfter(WriteClock.of(latestEdit))) {
                latestEdit = e;
            }
            ObjectNode row = parse(e);
            parsed.put(e, row);
            for (String column : writtenColumns(e, row)) {
                ChangeEntry current = writers.get(column);
                if (current == null || clock.isAfter(WriteClock.of(current))) {
                    writers.put(column, e);
                }
            }
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

    private static ObjectNode parse(ChangeEntry e) {
        JsonNode node = JSON.readTree(e.data());
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("entry " + e.origin() + "/" + e.version() + " data is not a JSON object");
        }
        return object;
    }

    private static Set<String> writtenColumns(ChangeEntry e, ObjectNode row) {
        Set<String> all = new TreeSet<>(row.propertyNames());
        if (e.operation() == Operation.INSERT || e.changedColumns() == null) {
            return all;
        }
        Set<String> changed = new TreeSet<>();
        for (JsonNode c : JSON.readTree(e.changedColumns())) {
            if (all.contains(c.asString())) {
                changed.add(c.asString());
            }
        }
        return changed;
    }
}
