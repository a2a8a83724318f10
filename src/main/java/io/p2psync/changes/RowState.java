package io.p2psync.changes;

/**
 * The current version of one tracked row ({@code sync_row_state}): what it has seen and which entry wrote
 * the value it holds.
 *
 * @param vector  every change the row's value reflects or has overruled
 * @param origin  origin of the entry whose value the row holds
 * @param version that entry's version
 * @param hlc     that entry's hybrid clock timestamp
 * @param deleted true if that entry deleted the row
 * @param columnClocks per column, the clock of the write its value came from (conflict merge), or null
 * @param columnHashes what the row held when the node last sealed or wrote it ({@link RowHashes}), or null
 */
public record RowState(String table, String recordId, VersionVector vector, String origin, long version, long hlc,
        boolean deleted, String columnClocks, String columnHashes) {

    public RowState {
        if (vector == null) {
            vector = VersionVector.EMPTY;
        }
    }

    /** The state after {@code entry} wrote the row; its vector merges {@code seen} (the previous vector). */
    static RowState writtenBy(ChangeEntry entry, VersionVector seen) {
        return new RowState(entry.table(), entry.recordId(), entry.vector().merge(seen), entry.origin(),
                entry.version(), entry.hlc(), entry.operation() == Operation.DELETE, null, null);
    }

    /** This state with {@code hashes} ({@link RowHashes}) as what the row holds now. */
    RowState withColumnHashes(String hashes) {
        return new RowState(table, recordId, vector, origin, version, hlc, deleted, columnClocks, hashes);
    }

    /** This state having also seen {@code entry} without taking its value. */
    RowState overruling(ChangeEntry entry) {
        return new RowState(table, recordId, vector.merge(entry.vector()), origin, version, hlc, deleted, columnClocks,
                columnHashes);
    }
}
