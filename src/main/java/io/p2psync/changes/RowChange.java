package io.p2psync.changes;

/**
 * The content of a change before it is sealed into an entry.
 *
 * @param table          tracked table name
 * @param recordId       the primary key as text; a JSON array for composite keys
 * @param operation      what was done
 * @param kind           edit or resolution
 * @param data           the whole row as a JSON object; {@code null} exactly for DELETE
 * @param changedColumns JSON array of the columns an UPDATE changed; {@code null} means all/unknown
 */
public record RowChange(String table, String recordId, Operation operation, Kind kind, String data, String changedColumns) {

    public RowChange {
        if (table == null || table.isBlank()) {
            throw new IllegalArgumentException("table must not be blank");
        }
        if (recordId == null) {
            throw new IllegalArgumentException("recordId must not be null");
        }
        if (operation == null) {
            throw new IllegalArgumentException("operation must not be null");
        }
        if (kind == null) {
            kind = Kind.EDIT;
        }
        if ((operation == Operation.DELETE) != (data == null)) {
            throw new IllegalArgumentException("data must be null for DELETE and only for DELETE");
        }
    }
}
