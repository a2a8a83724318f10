package io.p2psync.changes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Rows left pointing at a parent that is not there. The node applies entries with foreign keys off (the
 * origin's cascades arrive as entries of their own), so a child added on one device while another deleted
 * its parent stays, and is reported instead. Rows are checked after a whole batch part, so that a cascade's
 * child deletes and its parent delete are all applied before anything is called an orphan.
 */
final class Orphans {

    /** A row that may have lost its parent. */
    record Candidate(String table, String recordId) {
    }

    /** A row whose parent is not there. */
    record Orphan(String table, String recordId, Map<String, Object> row, String parentTable) {
    }

    /** One foreign key of a child table: its columns, the parent table and the parent's columns. */
    record ForeignKey(String childTable, List<String> from, String parent, List<String> to) {
    }

    private Orphans() {
    }

    /**
     * The rows to check after {@code e} was applied to its row in {@code t}.
     *
     * @param known foreign keys per table already read in this transaction; filled as tables are read
     */
    static List<Candidate> candidates(JdbcClient jdbc, TrackedTables tables, ChangeEntry e, TrackedTable t,
                                      Map<String, List<ForeignKey>> known) {
        if (e.operation() != Operation.DELETE) {
            return known.computeIfAbsent(t.name(), name -> foreignKeys(jdbc, name)).isEmpty() ? List.of()
                    : List.of(new Candidate(t.name(), e.recordId()));
        }
        List<Object> key = RowWriter.key(t, e.recordId());
        List<Candidate> out = new ArrayList<>();
        for (String name : tables.names()) {
            TrackedTable child = tables.get(name);
            for (ForeignKey fk : known.computeIfAbsent(name, n -> foreignKeys(jdbc, n))) {
                List<String> to = fk.to().stream().anyMatch(c -> c == null) ? t.primaryKey() : fk.to();
                if (!fk.parent().equalsIgnoreCase(t.name()) || !to.equals(t.primaryKey())) {
                    continue; // only references to the deleted row's key can be found again
                }
                String where = fk.from().stream().map(c -> TrackedTable.quote(c) + " = ?").collect(Collectors.joining(" AND "));
                jdbc.sql("SELECT " + child.primaryKey().stream().map(TrackedTable::quote).collect(Collectors.joining(", "))
                                + " FROM " + child.quotedName() + " WHERE " + where)
                        .params(key)
                        .query((rs, n) -> {
                            List<Object> k = new ArrayList<>();
                            for (int i = 1; i <= child.primaryKey().size(); i++) {
                                k.add(SqlValues.read(rs, i));
                            }
                            // a child whose key cannot be synced is not synced, so it is no one's orphan
                            return SqlValues.isSupportedKey(k) ? new Candidate(name, SqlValues.encodeKey(k)) : null;
                        })
                        .list().stream().filter(java.util.Objects::nonNull).forEach(out::add);
            }
        }
        return out;
    }

    /** The candidate as an orphan, or null if it is gone or all its parents are there. */
    static Orphan check(JdbcClient jdbc, RowWriter writer, TrackedTable t, String recordId) {
        Map<String, Object> row = writer.row(t, recordId).orElse(null);
        if (row == null) {
            return null;
        }
        for (ForeignKey fk : foreignKeys(jdbc, t.name())) {
            List<Object> values = fk.from().stream().map(row::get).toList();
            if (values.stream().anyMatch(v -> v == null)) {
                continue; // a NULL reference points nowhere, which is allowed
            }
            List<String> to = fk.to().stream().anyMatch(c -> c == null) ? parentKey(jdbc, fk.parent()) : fk.to();
            if (to.size() != values.size()) {
                continue;
            }
            List<String> where = new java.util.ArrayList<>(to.size());
            for (int i = 0; i < to.size(); i++) {
                where.add(TrackedTable.quote(to.get(i)) + " = " + RowWriter.placeholder(values.get(i)));
            }
            boolean there = jdbc.sql("SELECT EXISTS (SELECT 1 FROM " + TrackedTable.quote(fk.parent()) + " WHERE "
                            + String.join(" AND ", where) + ")")
                    .params(RowWriter.bindable(fk.from(), row)).query(Boolean.class).single();
            if (!there) {
                return new Orphan(t.name(), recordId, row, fk.parent());
            }
        }
        return null;
    }

    private static List<ForeignKey> foreignKeys(JdbcClient jdbc, String table) {
        record Column(int id, String parent, String from, String to) {
        }
        List<Column> columns = jdbc.sql("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq")
                .param(table).query((rs, n) -> new Column(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
        Map<Integer, ForeignKey> keys = new LinkedHashMap<>();
        for (Column c : columns) {
            ForeignKey fk = keys.computeIfAbsent(c.id(), id -> new ForeignKey(table, new ArrayList<>(), c.parent(), new ArrayList<>()));
            fk.from().add(c.from());
            fk.to().add(c.to());
        }
        return List.copyOf(keys.values());
    }

    private static List<String> parentKey(JdbcClient jdbc, String parent) {
        return jdbc.sql("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk").param(parent)
                .query(String.class).list();
    }
}
