package io.p2psync.changes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and writes tracked rows and their state inside an apply transaction, with the apply guard set. */
public interface RowAccess {

    /** The row's state, empty for a row never seen. */
    Optional<RowState> state(String table, String recordId);

    /** The row as JSON ({@link SqlValues#encodeRow}), empty if it does not exist. */
    Optional<String> read(String table, String recordId);

    /** The row's values (column to value, see {@link SqlValues}), empty if it does not exist. */
    Optional<Map<String, Object>> row(String table, String recordId);

    /**
     * Writes the row and its state without capturing it; the state's column hashes become those of the row
     * as written.
     *
     * @param data the row as a JSON object ({@link SqlValues#encodeRow}), or null to delete it
     */
    void write(RowState state, String data);

    /**
     * Every entry in the log for the row that is applied here, in log order: held entries are left out until
     * they apply.
     */
    List<ChangeEntry> entries(String table, String recordId);
}
