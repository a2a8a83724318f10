package io.p2psync.changes;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a row of a tracked table from an entry: an upsert by primary key from the row JSON, or a delete by
 * record id. Callers set the apply guard first, so these writes are not captured.
 */
@Component
class RowWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    RowWriter(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts the row, or updates it if a row with its key exists. Columns in the JSON that the local table
     * lacks are ignored; local columns missing from the JSON keep their value (or default).
     *
     * @throws IllegalArgumentException if the JSON is not an object or lacks a key column
     */
    void upsert(TrackedTable t, String rowJson) {
        Map<String, Object> row = decode(rowJson);
        List<String> cols = t.columns().stream().filter(row::containsKey).toList();
        for (String k : t.primaryKey()) {
            if (!row.containsKey(k)) {
                throw new IllegalArgumentException("row data lacks key column " + k);
            }
        }
        List<String> updates = cols.stream().filter(c -> !t.primaryKey().contains(c)).toList();
        String sql = "INSERT INTO " + t.quotedName()
                + cols.stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " (", ")"))
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ", " VALUES (", ")"))
                + t.primaryKey().stream().map(TrackedTable::quote).collect(Collectors.joining(", ", " ON CONFLICT (", ")"))
                + (updates.isEmpty() ? " DO NOTHING"
                        : updates.stream().map(c -> TrackedTable.quote(c) + " = excluded." + TrackedTable.quote(c))
                                .collect(Collectors.joining(", ", " DO UPDATE SET ", "")));
        jdbc.sql(sql).params(cols.stream().map(c -> sqlValue(row.get(c))).toList()).update();
    }

    /** Deletes the row; nothing happens if it is not there. */
    void delete(TrackedTable t, String recordId) {
        jdbc.sql("DELETE FROM " + t.quotedName() + " WHERE " + t.keyMatchSql()).params(keyValues(t, recordId)).update();
    }

    /** The row as JSON (the form the sealer seals, {@link SqlValues#encodeRow}), empty if there is no such row. */
    Optional<String> read(TrackedTable t, String recordId) {
        return jdbc.sql("SELECT * FROM " + t.quotedName() + " WHERE " + t.keyMatchSql())
                .params(keyValues(t, recordId)).query((rs, n) -> SqlValues.encodeRow(RowLookup.row(rs))).optional();
    }

    /** The key values a record id names ({@link SqlValues#decodeKey}), each with its own storage class. */
    private static List<Object> keyValues(TrackedTable t, String recordId) {
        return RowDifference.keyOf(t, recordId);
    }

    /** The sealer's form ({@link SqlValues#decodeRow}: every value exact), else any JSON object. */
    private static Map<String, Object> decode(String json) {
        try {
            return SqlValues.decodeRow(json);
        } catch (IllegalArgumentException notThatForm) {
            return parseObject(json);
        }
    }

    private static Map<String, Object> parseObject(String json) {
        try {
            Map<String, Object> row = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (row == null) {
                throw new IllegalArgumentException("row data is not a JSON object");
            }
            return row;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("row data is not a JSON object: " + e.getOriginalMessage());
        }
    }

    /** JSON values as SQLite stores them: numbers and text as they are, booleans as 0/1, nested JSON as text. */
    private static Object sqlValue(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof BigInteger big) {
            return big.bitLength() < 64 ? big.longValue() : big.toString();
        }
        if (v instanceof BigDecimal dec) {
            return dec.doubleValue();
        }
        if (v instanceof Map || v instanceof List) {
            return JSON.writeValueAsString(v);
        }
        return v;
    }
}
