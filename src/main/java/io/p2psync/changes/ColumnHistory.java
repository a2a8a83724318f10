package io.p2psync.changes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Remembers each tracked table's columns as the node last saw them ({@code sync_table_columns}) and, when they
 * changed, what became of each column that went: renamed or dropped ({@code sync_former_columns}). A row's state
 * names a column by the name it had when the row was last sealed here; {@link RowDifference} needs the history to
 * tell a RENAME COLUMN (the values stayed, under a new name) from a DROP COLUMN and an ADD COLUMN (whatever the
 * app writes into the new column is new, even the value the dropped one held).
 *
 * <p>SQLite renames a column in place, keeping its whole declaration, while ADD COLUMN always appends. So a new
 * column in the place of a gone one (between the same two columns that stayed), declared alike, is the gone one
 * renamed. At the end of the table both look the same; there the data decides: a rename keeps every row's
 * value, while an added column holds its default in every row the app has not written since (those rows are
 * still in {@code sync_capture}). A column that ADD COLUMN could not have made (a key, NOT NULL without a
 * default, a default that is an expression) is a rename wherever it stands. When the columns that stayed changed
 * order (the app rebuilt the table), nothing counts as renamed.
 *
 * <p>The history is taken at start-up and whenever {@link SchemaFollower} sees the schema move: a change made
 * while the node was stopped is seen at the next start, before anything is sealed.
 */
final class ColumnHistory {

    private static final Logger log = LoggerFactory.getLogger(ColumnHistory.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A column as {@code PRAGMA table_info} declares it. */
    record Column(String name, String type, boolean notNull, String dflt, int pk) {

        boolean declaredAs(Column other) {
            return type.equalsIgnoreCase(other.type) && notNull == other.notNull && Objects.equals(dflt, other.dflt)
                    && pk == other.pk;
        }

        /** False if ALTER TABLE … ADD COLUMN refuses such a column: then it was not added. */
        boolean couldBeAdded() {
            boolean expression = dflt != null && (dflt.startsWith("(") || dflt.toUpperCase(Locale.ROOT).startsWith("CURRENT_"));
            return pk == 0 && !(notNull && dflt == null) && !expression;
        }
    }

    /**
     * What became of a column that went.
     *
     * @param renamedTo the new column in its place, declared alike; null if it was dropped
     * @param certain   false if the new column could also have been added in its place (at the end of the
     *                  table): then the data decides
     */
    record Fate(String column, String renamedTo, boolean certain) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;

    ColumnHistory(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.template = template;
        this.tx = tx;
    }

    /**
     * Compares each table with what was last seen of it, records the fates of the columns that went, and
     * returns the tables with their {@link FormerColumns}.
     */
    Map<String, TrackedTable> follow(Map<String, TrackedTable> tables) {
        return tx.execute(status -> {
            Map<String, TrackedTable> out = new LinkedHashMap<>();
            tables.forEach((name, t) -> out.put(name, follow(t)));
            return out;
        });
    }

    private TrackedTable follow(TrackedTable t) {
        List<Column> now = columnsOf(t.name());
        String seen = JSON.writeValueAsString(now);
        String before = jdbc.sql("SELECT columns FROM sync_table_columns WHERE table_name = ?").param(t.name())
                .query(String.class).optional().orElse(null);
        if (!seen.equals(before)) {
            if (before != null) {
                for (Fate f : fates(JSON.readValue(before, new TypeReference<List<Column>>() { }), now)) {
                    record(t, f);
                }
            }
            jdbc.sql("INSERT INTO sync_table_columns (table_name, columns) VALUES (?, ?) "
                    + "ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns").params(t.name(), seen).update();
            for (Column c : now) { // a column added again under a name it had before is no former column
                jdbc.sql("DELETE FROM sync_former_columns WHERE table_name = ? AND name = ?").params(t.name(), c.name())
                        .update();
            }
        }
        return t.withFormerColumns(formerColumns(t.name(), now.stream().map(Column::name).collect(Collectors.toSet())));
    }

    private void record(TrackedTable t, Fate f) {
        String renamedTo = f.renamedTo();
        if (renamedTo != null && !f.certain() && !keptItsValues(t, f.column(), renamedTo)) {
            renamedTo = null;
        }
        if (renamedTo != null) {
            log.info("capture: column '{}' of {} was renamed to '{}'{}", f.column(), t.name(), renamedTo,
                    f.certain() ? "" : " (its rows kept their values)");
        } else {
            log.info("capture: column '{}' of {} was dropped{}", f.column(), t.name(),
                    f.renamedTo() == null ? "" : "; '" + f.renamedTo() + "' was added in its place, so what the app "
                            + "writes there is synced even where it equals what '" + f.column() + "' held");
        }
        jdbc.sql("INSERT INTO sync_former_columns (table_name, name, renamed_to) VALUES (?, ?, ?) "
                + "ON CONFLICT (table_name, name) DO UPDATE SET renamed_to = excluded.renamed_to")
                .params(t.name(), f.column(), renamedTo).update();
    }

    /**
     * True if some row holds in {@code column} something other than the column's default while its state still
     * names {@code gone} (it was last sealed before the column went) and no capture waits for it (the app has not
     * written it since): an added column would hold its default in every such row. Rows the app wrote since the
     * column went are left out either way, whether they wait in {@code sync_capture} or were sealed already.
     */
    private boolean keptItsValues(TrackedTable t, String gone, String column) {
        Column c = columnsOf(t.name()).stream().filter(x -> x.name().equals(column)).findFirst().orElse(null);
        if (c == null) {
            return false;
        }
        if (!c.couldBeAdded()) {
            return true;
        }
        String sameKey = IntStream.range(0, t.primaryKey().size())
                .mapToObj(i -> "c.k" + (i + 1) + " IS r." + TrackedTable.quote(t.primaryKey().get(i)))
                .collect(Collectors.joining(" AND "));
        String written = "SELECT " + t.primaryKey().stream().map(k -> "r." + TrackedTable.quote(k))
                .collect(Collectors.joining(", ")) + " FROM " + t.quotedName() + " AS r WHERE r." + TrackedTable.quote(column)
                + " IS NOT (" + (c.dflt() == null ? "NULL" : c.dflt()) + ")"
                + " AND NOT EXISTS (SELECT 1 FROM sync_capture AS c WHERE c.table_name = ? AND " + sameKey + ")";
        return Boolean.TRUE.equals(template.query(written, rs -> {
            while (rs.next()) {
                List<Object> key = new ArrayList<>();
                for (int i = 1; i <= t.primaryKey().size(); i++) {
                    key.add(SqlValues.read(rs, i));
                }
                if (SqlValues.isSupportedKey(key) && RowHashes.knows(columnHashes(t.name(), SqlValues.encodeKey(key)),
                        gone)) {
                    return true;
                }
            }
            return false;
        }, t.name()));
    }

    private String columnHashes(String table, String recordId) {
        return jdbc.sql("SELECT column_hashes FROM sync_row_state WHERE table_name = ? AND record_id = ?")
                .params(table, recordId).query(String.class).optional().orElse(null);
    }

    /** The fates of the columns in {@code before} that {@code after} lacks. */
    static List<Fate> fates(List<Column> before, List<Column> after) {
        Set<String> beforeNames = before.stream().map(Column::name).collect(Collectors.toSet());
        Set<String> afterNames = after.stream().map(Column::name).collect(Collectors.toSet());
        List<String> stayed = before.stream().map(Column::name).filter(afterNames::contains).toList();
        boolean orderKept = stayed.equals(after.stream().map(Column::name).filter(beforeNames::contains).toList());
        Map<Integer, List<Column>> gone = byPlace(before, afterNames);
        Map<Integer, List<Column>> added = byPlace(after, beforeNames);
        List<Fate> fates = new ArrayList<>();
        gone.forEach((place, columns) -> {
            List<Column> there = added.getOrDefault(place, List.of());
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                boolean renamed = orderKept && i < there.size() && c.declaredAs(there.get(i));
                fates.add(renamed ? new Fate(c.name(), there.get(i).name(),
                                place < stayed.size() || !there.get(i).couldBeAdded())
                        : new Fate(c.name(), null, true));
            }
        });
        return fates;
    }

    /** The columns not in {@code others}, by place: how many of the columns in {@code others} come before them. */
    private static Map<Integer, List<Column>> byPlace(List<Column> columns, Set<String> others) {
        Map<Integer, List<Column>> byPlace = new LinkedHashMap<>();
        int place = 0;
        for (Column c : columns) {
            if (others.contains(c.name())) {
                place++;
            } else {
                byPlace.computeIfAbsent(place, p -> new ArrayList<>()).add(c);
            }
        }
        return byPlace;
    }

    /** Former names to the current column that holds their values (chains of renames followed), or dropped. */
    private FormerColumns formerColumns(String table, Set<String> current) {
        Map<String, String> recorded = new HashMap<>();
        jdbc.sql("SELECT name, renamed_to FROM sync_former_columns WHERE table_name = ?").param(table)
                .query(rs -> {
                    recorded.put(rs.getString(1), rs.getString(2));
                });
        Map<String, String> renamedTo = new HashMap<>();
        Set<String> dropped = new HashSet<>();
        recorded.forEach((name, to) -> {
            Set<String> seen = new HashSet<>(Set.of(name));
            while (to != null && !current.contains(to) && seen.add(to)) {
                to = recorded.get(to);
            }
            if (to != null && current.contains(to)) {
                renamedTo.put(name, to);
            } else {
                dropped.add(name);
            }
        });
        return new FormerColumns(renamedTo, dropped);
    }

    private List<Column> columnsOf(String table) {
        return jdbc.sql("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid")
                .param(table)
                .query((rs, n) -> new Column(rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getString(4),
                        rs.getInt(5)))
                .list();
    }
}
