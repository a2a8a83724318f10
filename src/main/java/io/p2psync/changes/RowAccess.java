package io.p2psync.changes;

import java.util.List;
import java.util.Optional;

/** Reads and writes tracked rows and their state inside an apply transaction, with the apply guard set. */
public interface RowAccess {

    /** The row's state, empty for a row never seen. */
    Optional<RowState> state(String table, String recordId);

    /** The row as JSON (the form the triggers capture), empty if it does not exist. */
    Optional<String> read(String table, String recordId);

    /**
     * Writes the row and its state without capturing it.
     *
     * @param data the row as a JSON object, or null to delete it (the state then says deleted)
     */
    void write(RowState state, String data);

    /** Every entry in the log for the row, in log order. */
    List<ChangeEntry> entries(String table, String recordId);
}
