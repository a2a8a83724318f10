package io.p2psync.changes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.sqlite.SQLiteException;

/** What SQLite refused when a row could not be written, as a {@link HoldReason}, and which row clashed. */
final class Constraints {

    /** Another row holding the same UNIQUE values. */
    record Clash(String recordId, Map<String, Object> row) {
    }

    private Constraints() {
    }

    /** The hold reason for a refused write, from SQLite's (extended) result code. */
    static HoldReason reason(DataAccessException refused) {
        Throwable cause = refused.getMostSpecificCause();
        String code = cause instanceof SQLiteException sqlite ? sqlite.getResultCode().name() : "";
        if (code.endsWith("_NOTNULL")) {
            return HoldReason.NOT_NULL;
        }
        if (code.endsWith("_CHECK")) {
            return HoldReason.CHECK;
        }
        if (code.endsWith("_UNIQUE") || code.endsWith("_PRIMARYKEY")) {
            return HoldReason.UNIQUE;
        }
        if (code.isEmpty() || code.equals("SQLITE_CONSTRAINT")) {
            // without extended codes SQLite's own message names the constraint ("NOT NULL constraint failed: …")
            String text = String.valueOf(cause.getMessage()).toUpperCase(Locale.ROOT);
            if (text.contains("NOT NULL CONSTRAINT")) {
                return HoldReason.NOT_NULL;
            }
            if (text.contains("CHECK CONSTRAINT")) {
                return HoldReason.CHECK;
            }
            if (text.contains("UNIQUE CONSTRAINT")) {
                return HoldReason.UNIQUE;
            }
        }
        return HoldReason.CONSTRAINT;
    }

    /**
     * The row here that holds the entry's values in one of the table's UNIQUE indexes (other than the
     * primary key) under another key; empty if none does (the clash was with something else).
     */
    static Optional<Clash> clash(JdbcClient jdbc, RowWriter writer, TrackedTable t, ChangeEntry e) {
        Map<String, Object> row = SqlValues.decodeRow(e.data());
        List<Object> ownKey = t.primaryKey().stream().map(row::get).toList();
        List<String> indexes = jdbc.sql("SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin <> 'pk'")
                .param(t.name()).query(String.class).list();
        for (String index : indexes) {
            List<String> columns = jdbc.sql("SELECT name FROM pragma_index_info(?) ORDER BY seqno").param(index)
                    .query((rs, n) -> rs.getString(1)).list();
            if (columns.isEmpty() || columns.stream().anyMatch(c -> c == null || !row.containsKey(c) || row.get(c) == null)) {
                continue; // an expression index, or NULLs (which never clash)
            }
            String where = columns.stream().map(c -> TrackedTable.quote(c) + " = " + RowWriter.placeholder(row.get(c)))
                    .collect(Collectors.joining(" AND "));
            List<List<Object>> keys = jdbc.sql("SELECT " + t.primaryKey().stream().map(TrackedTable::quote)
                            .collect(Collectors.joining(", ")) + " FROM " + t.quotedName() + " WHERE " + where)
                    .params(RowWriter.bindable(columns, row))
                    .query((rs, n) -> {
                        List<Object> key = new ArrayList<>();
                        for (int i = 1; i <= t.primaryKey().size(); i++) {
                            key.add(SqlValues.read(rs, i));
                        }
                        return key;
                    }).list();
            for (List<Object> key : keys) {
                // a row whose key cannot be synced is not offered as the other side of a conflict
                if (!sameKey(key, ownKey) && SqlValues.isSupportedKey(key)) {
                    String recordId = SqlValues.encodeKey(key);
                    return writer.row(t, recordId).map(r -> new Clash(recordId, r));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean sameKey(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!SqlValues.same(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

}
