package io.p2psync.changes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
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
 * <p>SQLite renames a column in place, keeping its whole declaration, while ADD COLUMN always appends. So where
 * as many new columns stand between two remaining columns as went from there, declared alike, they are those
 * columns renamed, in order. Anywhere else (at the end of the table, where an added column goes too, or where
 * the counts differ) a new column declared like a gone one is that one renamed only if the rows say so: every
 * row last sealed before the change (its state still names the gone column) and not written by the app since
 * (no capture waits for it) holds in the new column exactly what the gone one held, and at least one of them
 * something other than the column's default, which an added column would hold there. Without such rows the
 * choice does not matter for the rows here: the history is only ever read for rows whose state names the gone
 * column. When the remaining columns changed order (the app rebuilt the table), nothing counts as renamed.
 *
 * <p>A column that counts as dropped while a column declared alike came (at the end without rows to show it, or in
 * a re-created table) may still have been renamed; it is recorded as an unsure drop ({@link FormerColumns#unsure()}).
 * Another device's write under its old name then waits instead of being discarded, until a peer's history says
 * what became of the column ({@link #adopt}): renamed to a column this table has, or dropped there too.
 *
 * <p>The history is taken at start-up and whenever {@link SchemaFollower} sees the schema move: a change made
 * while the node was stopped is seen at the next start, before anything is sealed. It is worked out with reads
 * alone; the write lock is taken only to record a change, briefly.
 */
final class ColumnHistory {

    private static final Logger log = LoggerFactory.getLogger(ColumnHistory.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The type of the hash a state holds at a path, NULL if none (or if the record cannot be read). */
    private static final String HOLDS = "CASE WHEN json_valid(column_hashes) THEN json_type(column_hashes, ?) END";
    /** Rows that must agree before a new column at the end of a table counts as a renamed one. */
    static final int ROWS_CHECKED = 1_000;

    /** A column as {@code PRAGMA table_info} declares it. */
    record Column(String name, String type, boolean notNull, String dflt, int pk) {

        boolean declaredAs(Column other) {
            return type.equalsIgnoreCase(other.type) && notNull == other.notNull && Objects.equals(dflt, other.dflt)
                    && pk == other.pk;
        }
    }

    /**
     * What may have become of a column that went.
     *
     * @param candidates the new columns it may have been renamed to, in table order; empty if it was dropped
     * @param certain    true if the schema alone says it was renamed to the one candidate; else the rows decide
     */
    record Fate(String column, List<String> candidates, boolean certain) {

        static Fate renamed(String column, String to) {
            return new Fate(column, List.of(to), true);
        }

        static Fate dropped(String column) {
            return new Fate(column, List.of(), true);
        }
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
     * Compares each table with what was last seen of it, records what became of the columns that went, and
     * returns the tables with their {@link FormerColumns}.
     */
    Map<String, TrackedTable> follow(Map<String, TrackedTable> tables) {
        return follow(tables, Set.of());
    }

    /**
     * As {@link #follow(Map)}, for tables some of which were {@code rebuilt}: their capture triggers had to be
     * installed again, so the app re-created them (SQLite's usual way to change a table), where a new column may
     * stand anywhere and rows written since left no capture. No column of such a table counts as renamed.
     */
    Map<String, TrackedTable> follow(Map<String, TrackedTable> tables, Set<String> rebuilt) {
        Map<String, TrackedTable> out = new LinkedHashMap<>();
        tables.forEach((name, t) -> out.put(name, follow(t, rebuilt.contains(name))));
        return out;
    }

    private TrackedTable follow(TrackedTable t, boolean rebuilt) {
        List<Column> now = columnsOf(t.name());
        String seen = JSON.writeValueAsString(now);
        String stored = jdbc.sql("SELECT columns FROM sync_table_columns WHERE table_name = ?").param(t.name())
                .query(String.class).optional().orElse(null);
        if (!seen.equals(stored)) {
            List<Column> before = stored == null ? null : JSON.readValue(stored, new TypeReference<List<Column>>() { });
            List<Fate> fates = before == null ? List.of() : rebuilt ? rebuiltFates(before, now) : fates(before, now);
            // the waiting captures and the rows read in one snapshot, without the write lock
            TransactionTemplate read = new TransactionTemplate(tx.getTransactionManager());
            read.setReadOnly(true);
            Set<String> unsure = new HashSet<>();
            Map<String, String> decided = read.execute(status -> decide(t, fates, rebuilt, unsure));
            tx.executeWithoutResult(status -> record(t, before, now, seen, decided, unsure));
        }
        return t.withFormerColumns(formerColumns(t.name(), now.stream().map(Column::name).collect(Collectors.toSet())));
    }

    /**
     * Records what another device's history (or a person) says of columns ({@link SchemaFollower#adopt},
     * {@link SchemaFollower#declare}): renames this one never saw or only saw as an unsure drop (a former name to the
     * column it was renamed to), and drops of names it never saw or only saw as unsure drops ({@code confirmed}). A
     * sure record this node has already keeps it. Answers the table with what became of its former columns.
     */
    TrackedTable adopt(TrackedTable t, Map<String, String> renamedTo, Set<String> confirmed) {
        tx.executeWithoutResult(status -> {
            Map<String, String> recorded = recorded(t.name());
            Set<String> unsureDrops = unsureDrops(t.name());
            renamedTo.forEach((former, current) -> {
                String end = chainEnd(recorded, former);
                if (end == null) {
                    jdbc.sql("INSERT INTO sync_former_columns (table_name, name, renamed_to) VALUES (?, ?, ?)")
                            .params(t.name(), former, current).update();
                } else if (unsureDrops.contains(end)) {
                    // the unsure drop the name's chain ends in is what is settled: the chain now leads to current
                    jdbc.sql("UPDATE sync_former_columns SET renamed_to = ?, unsure = 0 WHERE table_name = ? AND name = ?")
                            .params(current, t.name(), end).update();
                }
            });
            confirmed.forEach(name -> {
                String end = chainEnd(recorded, name);
                if (end == null) {
                    jdbc.sql("INSERT INTO sync_former_columns (table_name, name, renamed_to) VALUES (?, ?, NULL)")
                            .params(t.name(), name).update();
                } else if (unsureDrops.contains(end)) {
                    jdbc.sql("UPDATE sync_former_columns SET unsure = 0 WHERE table_name = ? AND name = ?")
                            .params(t.name(), end).update();
                }
            });
        });
        return t.withFormerColumns(formerColumns(t.name(), Set.copyOf(t.columns())));
    }

    /**
     * The last record of {@code name}'s chain of renames: the name whose record says dropped (or the last before a
     * loop); null if nothing is recorded of {@code name}.
     */
    private static String chainEnd(Map<String, String> recorded, String name) {
        if (!recorded.containsKey(name)) {
            return null;
        }
        Set<String> seen = new HashSet<>(Set.of(name));
        String at = name;
        for (String to = recorded.get(at); to != null && recorded.containsKey(to) && seen.add(to); to = recorded.get(to)) {
            at = to;
        }
        return at;
    }

    /**
     * Each gone column to the column it was renamed to, or to null if it was dropped; a drop where a column declared
     * alike came goes into {@code unsure} too. In a {@code rebuilt} table the rows cannot tell, so nothing is renamed.
     */
    private Map<String, String> decide(TrackedTable t, List<Fate> fates, boolean rebuilt, Set<String> unsure) {
        Map<String, String> decided = new LinkedHashMap<>();
        Map<String, Set<String>> open = new LinkedHashMap<>(); // a drop's candidates the rows could not rule out
        Set<String> taken = new HashSet<>();
        Set<String> waiting = null;
        for (Fate f : fates) {
            String to = null;
            if (rebuilt) {
                open.put(f.column(), new HashSet<>(f.candidates()));
            } else if (f.certain()) {
                to = f.candidates().isEmpty() ? null : f.candidates().get(0);
            } else {
                if (waiting == null) {
                    waiting = waitingCaptures(t);
                }
                Set<String> untold = new HashSet<>();
                for (String candidate : f.candidates()) {
                    if (taken.contains(candidate)) {
                        continue;
                    }
                    Rows rows = rowsOf(t, f.column(), candidate, waiting);
                    if (rows == Rows.KEPT_ITS_VALUES) {
                        to = candidate;
                        break;
                    } else if (rows == Rows.TELL_NOTHING) {
                        untold.add(candidate);
                    }
                }
                if (to == null) {
                    open.put(f.column(), untold);
                }
            }
            if (to != null) {
                taken.add(to);
                log.info("capture: column '{}' of {} was renamed to '{}'", f.column(), t.name(), to);
            }
            decided.put(f.column(), to);
        }
        open.forEach((column, candidates) -> {
            candidates.removeAll(taken);
            if (candidates.isEmpty()) {
                log.info("capture: column '{}' of {} was dropped", column, t.name());
            } else {
                unsure.add(column);
                log.info("capture: column '{}' of {} was dropped and {} added, or renamed: a row that holds there what "
                        + "'{}' held is not sent again, what the app writes there from now on is; other devices' writes "
                        + "of '{}' wait until a peer that followed the change says which", column, t.name(), candidates,
                        column, column);
            }
        });
        return decided;
    }

    /** Records the fates, and the columns as seen now, in one short write transaction. */
    private void record(TrackedTable t, List<Column> before, List<Column> now, String seen, Map<String, String> decided,
            Set<String> unsure) {
        if (before != null) {
            Set<String> had = before.stream().map(Column::name).collect(Collectors.toSet());
            Set<String> current = now.stream().map(Column::name).collect(Collectors.toSet());
            Map<String, String> recorded = recorded(t.name());
            FormerColumns former = formerColumns(recorded, current, Set.of());
            for (Column c : now) {
                if (!had.contains(c.name())) {
                    // a name that appears now (added, or another column renamed to it) is not the column an
                    // earlier rename to that name led to: such renames lead on to where that column went (renamed on,
                    // or dropped, surely or not), so a chain title -> name -> label keeps title -> label when a new
                    // name is added
                    jdbc.sql("UPDATE sync_former_columns SET renamed_to = ?, unsure = coalesce((SELECT unsure FROM "
                                    + "sync_former_columns WHERE table_name = ? AND name = ?), 0) "
                                    + "WHERE table_name = ? AND renamed_to = ?")
                            .params(recorded.get(c.name()), t.name(), c.name(), t.name(), c.name()).update();
                    if (former.knows(c.name()) && !backUnderItsName(c.name(), decided, recorded)) {
                        forgetReusedName(t, c.name(), former.renamedTo().get(c.name()));
                    }
                }
            }
        }
        decided.forEach((column, to) -> jdbc.sql("INSERT INTO sync_former_columns (table_name, name, renamed_to, unsure) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (table_name, name) DO UPDATE SET renamed_to = excluded.renamed_to, "
                        + "unsure = excluded.unsure")
                .params(t.name(), column, to, unsure.contains(column) ? 1 : 0).update());
        for (Column c : now) { // a name in use again is no former name
            jdbc.sql("DELETE FROM sync_former_columns WHERE table_name = ? AND name = ?").params(t.name(), c.name())
                    .update();
        }
        jdbc.sql("INSERT INTO sync_table_columns (table_name, columns) VALUES (?, ?) "
                + "ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns").params(t.name(), seen).update();
    }

    /**
     * A name that went (dropped, or renamed to {@code renamedTo}) is in use again: the row states that still hold a
     * hash under it hold the old column's, which the new column must not be compared with. Such a hash moves to the
     * column the old one became (unless the state knows that one already), or goes.
     */
    private void forgetReusedName(TrackedTable t, String name, String renamedTo) {
        if (!plainForJsonPath(name) || renamedTo != null && !plainForJsonPath(renamedTo)) {
            log.warn("capture: column '{}' of {} is a name used before; row states keep its old hash, so a write of the "
                    + "same value into the new column is taken for none until the row's next other change", name, t.name());
            return;
        }
        String path = "$.\"" + name + "\"";
        if (renamedTo != null) {
            String to = "$.\"" + renamedTo + "\"";
            jdbc.sql("UPDATE sync_row_state SET column_hashes = json_set(json_remove(column_hashes, ?), ?, "
                            + "json_extract(column_hashes, ?)) WHERE table_name = ? AND " + HOLDS + " IS NOT NULL AND " + HOLDS + " IS NULL")
                    .params(path, to, path, t.name(), path, to).update();
        }
        int forgotten = jdbc.sql("UPDATE sync_row_state SET column_hashes = json_remove(column_hashes, ?) "
                        + "WHERE table_name = ? AND " + HOLDS + " IS NOT NULL")
                .params(path, t.name(), path).update();
        log.info("capture: column '{}' of {} is a name used before; {} row states forgot the old column's value",
                name, t.name(), forgotten);
    }

    /**
     * True if {@code name} is back because the column it was renamed to (through any chain of renames) was renamed
     * back to it now: the hashes states hold under it are that very column's.
     */
    private static boolean backUnderItsName(String name, Map<String, String> decided, Map<String, String> recorded) {
        Set<String> seen = new HashSet<>();
        for (String at = recorded.get(name); at != null && seen.add(at); at = recorded.get(at)) {
            if (name.equals(decided.get(at))) {
                return true;
            }
        }
        return false;
    }

    /** SQLite's JSON paths quote a label with double quotes and know no escapes inside them. */
    private static boolean plainForJsonPath(String name) {
        return !name.contains("\"") && !name.contains("\\");
    }

    /** What the rows last sealed before a change, and not written since, say of a new column and a gone one. */
    private enum Rows {
        /**
         * The new column holds what the gone one held in every such row (the first {@link #ROWS_CHECKED}), and
         * something other than its default in at least one: renamed. An added column holds its default there.
         */
        KEPT_ITS_VALUES,
        /** In a row the new column holds something else: not that column renamed. */
        DIFFER,
        /** No such row, or all hold the default: renamed or added, the rows cannot tell. */
        TELL_NOTHING
    }

    /** What the rows say of {@code column} being {@code gone} renamed ({@link Rows}). */
    private Rows rowsOf(TrackedTable t, String gone, String column, Set<String> waiting) {
        // a state sealed before an earlier rename names the column by what it was called then
        Set<String> names = new HashSet<>(Set.of(gone));
        formerColumns(t.name(), Set.of(gone)).renamedTo().forEach((former, now) -> {
            if (now.equals(gone)) {
                names.add(former);
            }
        });
        boolean hasDefault = t.defaults().containsKey(column);
        Object dflt = t.defaults().get(column);
        String keys = t.primaryKey().stream().map(TrackedTable::quote).collect(Collectors.joining(", "));
        int[] checked = {0};
        boolean[] valueSeen = {false};
        boolean[] differs = {false};
        template.query("SELECT " + keys + ", " + TrackedTable.quote(column) + " FROM " + t.quotedName(), rs -> {
            while (rs.next() && checked[0] < ROWS_CHECKED) {
                List<Object> key = keyOf(rs, t.primaryKey().size());
                if (!SqlValues.isSupportedKey(key)) {
                    continue;
                }
                String recordId = SqlValues.encodeKey(key);
                if (waiting.contains(recordId)) {
                    continue;
                }
                Map<String, String> state = RowHashes.parse(columnHashes(t.name(), recordId));
                String named = state == null ? null : names.stream().filter(state::containsKey).findFirst().orElse(null);
                if (named == null) {
                    continue;
                }
                Object value = SqlValues.read(rs, t.primaryKey().size() + 1);
                checked[0]++;
                if (!RowHashes.hash(value).equals(state.get(named))) {
                    differs[0] = true;
                    return null;
                }
                valueSeen[0] |= !hasDefault || !SqlValues.same(value, dflt);
            }
            return null;
        });
        return differs[0] ? Rows.DIFFER : valueSeen[0] ? Rows.KEPT_ITS_VALUES : Rows.TELL_NOTHING;
    }

    /** The record ids of {@code t}'s rows with captures waiting to be sealed: the app wrote them since. */
    private Set<String> waitingCaptures(TrackedTable t) {
        String keys = java.util.stream.IntStream.rangeClosed(1, t.primaryKey().size()).mapToObj(i -> "k" + i)
                .collect(Collectors.joining(", "));
        Set<String> waiting = new HashSet<>();
        template.query("SELECT " + keys + " FROM sync_capture WHERE table_name = ?", rs -> {
            List<Object> key = keyOf(rs, t.primaryKey().size());
            if (SqlValues.isSupportedKey(key)) {
                waiting.add(SqlValues.encodeKey(key));
            }
        }, t.name());
        return waiting;
    }

    /** The first {@code columns} values of the result's current row: a key. */
    private static List<Object> keyOf(java.sql.ResultSet rs, int columns) throws java.sql.SQLException {
        List<Object> key = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
            key.add(SqlValues.read(rs, i));
        }
        return key;
    }

    private String columnHashes(String table, String recordId) {
        return jdbc.sql("SELECT column_hashes FROM sync_row_state WHERE table_name = ? AND record_id = ?")
                .params(table, recordId).query(String.class).optional().orElse(null);
    }

    /** What may have become of the columns in {@code before} that {@code after} lacks. */
    static List<Fate> fates(List<Column> before, List<Column> after) {
        Set<String> beforeNames = before.stream().map(Column::name).collect(Collectors.toSet());
        Set<String> afterNames = after.stream().map(Column::name).collect(Collectors.toSet());
        List<String> stayed = before.stream().map(Column::name).filter(afterNames::contains).toList();
        boolean orderKept = stayed.equals(after.stream().map(Column::name).filter(beforeNames::contains).toList());
        Map<Integer, List<Column>> gone = byPlace(before, afterNames);
        Map<Integer, List<Column>> added = byPlace(after, beforeNames);
        List<Fate> fates = new ArrayList<>();
        gone.forEach((place, columns) -> {
            List<Column> there = orderKept ? added.getOrDefault(place, List.of()) : List.of();
            boolean inPlace = place < stayed.size() && columns.size() == there.size()
                    && java.util.stream.IntStream.range(0, columns.size())
                            .allMatch(i -> columns.get(i).declaredAs(there.get(i)));
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                List<String> alike = there.stream().filter(c::declaredAs).map(Column::name).toList();
                fates.add(inPlace ? Fate.renamed(c.name(), there.get(i).name())
                        : alike.isEmpty() ? Fate.dropped(c.name()) : new Fate(c.name(), alike, false));
            }
        });
        return fates;
    }

    /**
     * What may have become of the columns in {@code before} that {@code after} lacks when the app re-created the
     * table: any new column declared alike, wherever it stands, may be one renamed.
     */
    static List<Fate> rebuiltFates(List<Column> before, List<Column> after) {
        Set<String> beforeNames = before.stream().map(Column::name).collect(Collectors.toSet());
        Set<String> afterNames = after.stream().map(Column::name).collect(Collectors.toSet());
        List<Column> added = after.stream().filter(c -> !beforeNames.contains(c.name())).toList();
        return before.stream().filter(c -> !afterNames.contains(c.name()))
                .map(c -> new Fate(c.name(), added.stream().filter(c::declaredAs).map(Column::name).toList(), false))
                .toList();
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

    /**
     * Former names to the current column that holds their values (chains of renames followed), or dropped; dropped
     * unsure where the chain ends in an unsure drop.
     */
    private FormerColumns formerColumns(String table, Set<String> current) {
        return formerColumns(recorded(table), current, unsureDrops(table));
    }

    /** {@link #formerColumns(String, Set)} from records already read. */
    private static FormerColumns formerColumns(Map<String, String> recorded, Set<String> current, Set<String> unsureDrops) {
        Map<String, String> renamedTo = new HashMap<>();
        Set<String> dropped = new HashSet<>();
        Set<String> unsure = new HashSet<>();
        recorded.forEach((name, to) -> {
            Set<String> seen = new HashSet<>(Set.of(name));
            String last = name;
            while (to != null && !current.contains(to) && seen.add(to)) {
                last = to;
                to = recorded.get(to);
            }
            if (to != null && current.contains(to)) {
                renamedTo.put(name, to);
            } else {
                dropped.add(name);
                if (to == null && unsureDrops.contains(last)) {
                    unsure.add(name);
                }
            }
        });
        return new FormerColumns(renamedTo, dropped, unsure);
    }

    /** The names {@code sync_former_columns} records as unsure drops. */
    private Set<String> unsureDrops(String table) {
        return Set.copyOf(jdbc.sql("SELECT name FROM sync_former_columns WHERE table_name = ? AND unsure = 1")
                .param(table).query(String.class).list());
    }

    /** The records of {@code sync_former_columns}: a former name to what it was renamed to, null if dropped. */
    private Map<String, String> recorded(String table) {
        Map<String, String> recorded = new HashMap<>();
        jdbc.sql("SELECT name, renamed_to FROM sync_former_columns WHERE table_name = ?").param(table)
                .query(rs -> {
                    recorded.put(rs.getString(1), rs.getString(2));
                });
        return recorded;
    }

    private List<Column> columnsOf(String table) {
        return jdbc.sql("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid")
                .param(table)
                .query((rs, n) -> new Column(rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getString(4),
                        rs.getInt(5)))
                .list();
    }
}
