-- Holds (issue 12, "hold, never stall"): entries that verified and are stored in sync_log, but could not be
-- applied to their row here yet. Each is retried by itself when its reason may have gone (a schema change,
-- a new entry for the row, a settled conflict, a slow timer); only later entries of the same row wait.
--   reason      changes/HoldReason, lowercase (missing-table, missing-column, not-null, check, unique, ...)
--   detail      for people: the constraint or the columns
--   waiting_on  what would release it: the missing columns as a JSON array, or the clashing row's record id
--   partial     1 when the row took every column it has and only the missing columns' values wait; later
--               entries of the row do not wait behind a partial hold
CREATE TABLE sync_held (
    origin      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    table_name  TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    detail      TEXT,
    waiting_on  TEXT,
    partial     INTEGER NOT NULL DEFAULT 0,
    held_at     INTEGER NOT NULL,                    -- ms since the epoch
    tries       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, version)
) WITHOUT ROWID;
CREATE INDEX sync_held_row ON sync_held (table_name, record_id);

-- What a conflict is about: 'edit' (two edits of one row), 'unique' (two rows clash on a UNIQUE column),
-- 'orphan' (a row points at a parent another device deleted), 'key-collision' (two devices gave a new row
-- the same SQLite-assigned key).
ALTER TABLE sync_conflicts ADD COLUMN kind TEXT NOT NULL DEFAULT 'edit';
