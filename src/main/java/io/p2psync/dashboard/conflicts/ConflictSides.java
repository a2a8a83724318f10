package io.p2psync.dashboard.conflicts;

import io.p2psync.conflict.Conflict;
import io.p2psync.dashboard.data.SqlValueText;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Both sides of a conflict column by column, for the side-by-side view: the table's columns in declaration
 * order, then any column only a side has; a column is marked changed where the two sides hold different
 * values (a deleted side differs in every column).
 */
final class ConflictSides {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One column: its name, each side's value for people, and whether the sides differ in it. */
    record Column(String name, String local, String remote, boolean changed) {
    }

    private ConflictSides() {
    }

    /** @param tableColumns the table's columns in declaration order; empty if the table is not tracked any more */
    static List<Column> of(Conflict conflict, List<String> tableColumns) {
        JsonNode local = parse(conflict.local().data());
        JsonNode remote = parse(conflict.remote().data());
        Set<String> names = new LinkedHashSet<>(tableColumns);
        for (JsonNode side : new JsonNode[] {local, remote}) {
            if (side != null) {
                names.addAll(side.propertyNames());
            }
        }
        List<Column> columns = new ArrayList<>(names.size());
        for (String name : names) {
            JsonNode l = local == null ? null : local.get(name);
            JsonNode r = remote == null ? null : remote.get(name);
            boolean changed = local == null || remote == null || !Objects.equals(l, r);
            columns.add(new Column(name, local == null ? "" : SqlValueText.ofJson(l),
                    remote == null ? "" : SqlValueText.ofJson(r), changed));
        }
        return columns;
    }

    /** The row to start the hand-written one from: the local side, or the remote one if the row is deleted here. */
    static String startingRow(Conflict conflict) {
        String row = pretty(conflict.local().data());
        return row != null ? row : pretty(conflict.remote().data()) != null ? pretty(conflict.remote().data()) : "{}";
    }

    /** A side's row as indented JSON, or null if the row is deleted on that side. */
    static String pretty(String data) {
        JsonNode row = parse(data);
        return row == null ? null : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(row);
    }

    private static JsonNode parse(String data) {
        if (data == null) {
            return null;
        }
        JsonNode node = JSON.readTree(data);
        return node.isObject() ? node : null;
    }
}
