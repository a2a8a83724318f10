-- A column that went while another declared alike came (the last column renamed with no row to show its values
-- stayed, or a table the app re-created) may have been renamed: ColumnHistory records it as dropped with unsure = 1,
-- and a value another device writes under its old name waits (held as missing-column) instead of being discarded,
-- until a peer's history says what became of the column (docs/storage.md, "Schema changes"). Drops recorded before
-- this version count as sure, as they did.
ALTER TABLE sync_former_columns ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0;
