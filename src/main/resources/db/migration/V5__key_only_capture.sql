-- Key-only capture (issue 11). The triggers now record only which row was touched: the table and the key
-- values, each kept with its own storage class. The sealer reads the row itself and compares it with
-- sync_row_state.column_hashes, so a trigger names no column but the key and cannot fail on any value.
--
-- The old queue is renamed, not dropped: SQLite rewrites the old p2psync_capture_* triggers to write into
-- the renamed table, so the app's writes keep working until TriggerInstaller replaces those triggers at the
-- next start (it then drops sync_capture_v1). Rows it still holds need not be converted: the reconciliation
-- scan at start seals whatever they described.
ALTER TABLE sync_capture RENAME TO sync_capture_v1;

-- k1..k8 have no declared type on purpose: a column without one has no affinity, so 5 stays an INTEGER,
-- '5' stays TEXT, a REAL stays bit-exact and a BLOB stays bytes. Unused key columns are NULL; a tracked key
-- has at most 8 columns. The id orders the queue; no AUTOINCREMENT, which would cost a write to
-- sqlite_sequence on every captured change.
CREATE TABLE sync_capture (
    id          INTEGER PRIMARY KEY,
    table_name  TEXT    NOT NULL,
    k1, k2, k3, k4, k5, k6, k7, k8,
    captured_at INTEGER NOT NULL                      -- ms since the epoch
);
