-- Everything the node adds to the app's file carries the sync_ prefix, so it is recognisably the node's and
-- `remove` can find it: the built-in key-value table kv_store becomes sync_kv.
-- Its old capture triggers go first (they name kv_store in their bodies); the node installs them anew for
-- sync_kv at start-up. Local bookkeeping follows the new name. Entries already in sync_log keep the table
-- name they were signed with.
DROP TRIGGER IF EXISTS p2psync_capture_kv_store_insert;
DROP TRIGGER IF EXISTS p2psync_capture_kv_store_update;
DROP TRIGGER IF EXISTS p2psync_capture_kv_store_delete;
ALTER TABLE kv_store RENAME TO sync_kv;
UPDATE sync_capture SET table_name = 'sync_kv' WHERE table_name = 'kv_store';
UPDATE sync_row_state SET table_name = 'sync_kv' WHERE table_name = 'kv_store';
UPDATE sync_conflicts SET table_name = 'sync_kv' WHERE table_name = 'kv_store';
