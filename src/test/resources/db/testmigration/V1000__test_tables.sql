-- Test-only user tables, tracked through p2psync.tables in tests.
CREATE TABLE notes (
    id    INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body  TEXT
);
CREATE TABLE inventory (
    warehouse TEXT    NOT NULL,
    sku       TEXT    NOT NULL,
    qty       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse, sku)
);
CREATE TABLE no_key (
    name TEXT
);
CREATE TABLE plain_kv (
    key        TEXT PRIMARY KEY,
    value      TEXT,
    timestamp  TEXT NOT NULL,
    deleted_at TEXT
);
