-- The key-value table states what a row must be, so that no writer (an entry from another device, the app,
-- the sqlite3 shell) can store a row the store cannot serve: a text key that is never NULL (SQLite lets a
-- non-integer PRIMARY KEY hold NULL unless told), text values, and timestamps that are ISO-8601 date-times
-- (the node writes 2026-11-21T11:00:00.123Z; SQLite's datetime('now') gives 2026-11-21 11:00:00, also taken).
-- Size limits are settings (p2psync.kv.*), checked in the node on every path, not here.
-- SQLite cannot add constraints to a table, so it is rebuilt; its capture triggers go with the old table and
-- the node installs them anew at start-up. Rows that break the new rules (only a faulty or hostile writer
-- made them) are kept aside in sync_kv_refused, never silently dropped; their row states go too, so the
-- reconciliation scan does not take them for rows deleted here and send a delete to every device.
CREATE TABLE sync_kv_new (
    key        TEXT NOT NULL PRIMARY KEY CHECK (typeof(key) = 'text'),
    value      TEXT CHECK (value IS NULL OR typeof(value) = 'text'),
    timestamp  TEXT NOT NULL CHECK (typeof(timestamp) = 'text'
                   AND timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*'
                   AND julianday(timestamp) IS NOT NULL),
    deleted_at TEXT CHECK (deleted_at IS NULL OR (typeof(deleted_at) = 'text'
                   AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*'
                   AND julianday(deleted_at) IS NOT NULL))
);
CREATE TABLE sync_kv_refused AS SELECT * FROM sync_kv WHERE 0;
INSERT OR IGNORE INTO sync_kv_new SELECT key, value, timestamp, deleted_at FROM sync_kv
    WHERE key IS NOT NULL AND typeof(key) = 'text'
      AND (value IS NULL OR typeof(value) = 'text')
      AND typeof(timestamp) = 'text'
      AND timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*'
      AND julianday(timestamp) IS NOT NULL
      AND (deleted_at IS NULL OR (typeof(deleted_at) = 'text'
           AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*'
           AND julianday(deleted_at) IS NOT NULL));
INSERT INTO sync_kv_refused SELECT * FROM sync_kv WHERE rowid NOT IN
    (SELECT o.rowid FROM sync_kv o JOIN sync_kv_new n ON n.key = o.key);
DELETE FROM sync_row_state WHERE table_name = 'sync_kv'
    AND record_id IN (SELECT json_array(key) FROM sync_kv_refused);
DROP TABLE sync_kv;
ALTER TABLE sync_kv_new RENAME TO sync_kv;
