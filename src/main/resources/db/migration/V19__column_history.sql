-- What the node last saw of each tracked table's columns, and what became of each column that went since:
-- renamed (renamed_to names the column that holds its values now) or dropped (renamed_to NULL). A row's state
-- names columns as they were when the row was last sealed or written; ColumnHistory keeps these so that
-- RowDifference can tell a RENAME COLUMN from a DROP COLUMN and an ADD COLUMN (docs/storage.md, "Schema changes").
-- A table first seen by this version has no history: columns gone before then are judged by their values, as
-- before.
CREATE TABLE sync_table_columns (
    table_name TEXT PRIMARY KEY,
    columns    TEXT NOT NULL  -- JSON: [{name, type, notNull, dflt, pk}, ...] in table order
) WITHOUT ROWID;

CREATE TABLE sync_former_columns (
    table_name TEXT NOT NULL,
    name       TEXT NOT NULL,
    renamed_to TEXT,
    PRIMARY KEY (table_name, name)
) WITHOUT ROWID;
