-- p2p-sync schema, version 1. Column names here are relied on by every feature; see docs/storage.md.

-- The signed, hash-chained change log. One row per change, made here or received from another device.
-- (device_id, version) names an entry everywhere; entries are never updated except is_synced.
CREATE TABLE sync_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id       TEXT    NOT NULL,                 -- origin device (libp2p peer id)
    version         INTEGER NOT NULL,                 -- per-origin sequence, 1, 2, 3 ... without gaps
    timestamp       INTEGER NOT NULL,                 -- origin wall clock, ms since the epoch
    hlc             INTEGER NOT NULL,                 -- hybrid logical clock: wall ms << 16 | counter
    table_name      TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,                 -- primary key as text; composite keys as a JSON array
    operation       TEXT    NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    change_data     TEXT,                             -- the row as a JSON object, NULL for DELETE
    changed_columns TEXT,                             -- JSON array of changed column names, NULL = all
    base            TEXT    NOT NULL,                 -- row version vector this change replaced, '{}' for none
    kind            TEXT    NOT NULL DEFAULT 'EDIT' CHECK (kind IN ('EDIT', 'RESOLUTION')),
    prev_hash       TEXT,                             -- hash of (device_id, version - 1), NULL for version 1
    hash            TEXT    NOT NULL,                 -- lowercase hex SHA-256 of the canonical encoding
    signature       TEXT    NOT NULL,                 -- base64 Ed25519 signature by the origin over the hash
    is_synced       INTEGER NOT NULL DEFAULT 0,
    received_from   TEXT,                             -- device that delivered it, NULL if made here
    received_at     INTEGER,                          -- local ms when received, NULL if made here
    UNIQUE (device_id, version)
);
CREATE INDEX sync_log_row ON sync_log (table_name, record_id);
CREATE INDEX sync_log_unsynced ON sync_log (is_synced) WHERE is_synced = 0;
CREATE INDEX sync_log_hlc ON sync_log (hlc);

-- What the triggers on tracked tables write; drained into sync_log by the sealer. The id orders the queue;
-- no AUTOINCREMENT, which would cost a write to sqlite_sequence on every captured change.
CREATE TABLE sync_capture (
    id              INTEGER PRIMARY KEY,
    table_name      TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    operation       TEXT    NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    row_data        TEXT,                             -- json_object of the new row, NULL for DELETE
    changed_columns TEXT,                             -- JSON array for UPDATE, NULL otherwise
    captured_at     INTEGER NOT NULL                  -- ms since the epoch
);

-- Set to 1 only inside the transaction that applies remote entries, and reset before it commits,
-- so triggers never capture applied changes and no other connection ever sees 1.
CREATE TABLE sync_apply_guard (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    applying INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_apply_guard (id, applying) VALUES (1, 0);

-- The current version of every tracked row: its version vector and the entry that last wrote it.
CREATE TABLE sync_row_state (
    table_name    TEXT    NOT NULL,
    record_id     TEXT    NOT NULL,
    vector        TEXT    NOT NULL,                   -- canonical version vector JSON
    origin        TEXT    NOT NULL,                   -- origin of the entry whose value the row holds
    version       INTEGER NOT NULL,
    hlc           INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    column_clocks TEXT,                               -- reserved for per-column merge (issue 4)
    PRIMARY KEY (table_name, record_id)
) WITHOUT ROWID;                                      -- looked up and written by key only

CREATE TABLE sync_devices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id     TEXT    NOT NULL UNIQUE,
    device_name   TEXT,
    public_key    TEXT,
    tailscale_ip  TEXT,
    url           TEXT,
    last_address  TEXT,
    is_authorized INTEGER NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL DEFAULT 'PENDING'
                  CHECK (status IN ('PENDING', 'AUTHORIZED', 'REVOKED', 'INTRODUCED')),
    introduced_by TEXT,
    last_sync_at  TEXT,
    created_at    TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE sync_conflicts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name       TEXT    NOT NULL,
    record_id        TEXT    NOT NULL,
    local_data       TEXT,
    remote_data      TEXT,
    local_version    TEXT,
    remote_version   TEXT,
    local_device_id  TEXT,
    remote_device_id TEXT,
    status           TEXT    NOT NULL DEFAULT 'pending',
    resolution       TEXT,
    created_at       TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    resolved_at      TEXT
);
CREATE INDEX sync_conflicts_status ON sync_conflicts (status);

CREATE TABLE sync_peer_progress (
    peer_id              TEXT PRIMARY KEY,
    their_vector         TEXT,
    last_success_at      TEXT,
    last_error           TEXT,
    last_error_at        TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

-- The built-in key-value table (the seed's add/get/delete/list). Always tracked.
-- timestamp and deleted_at are ISO-8601 UTC instants (millisecond precision); deletes are soft.
CREATE TABLE kv_store (
    key        TEXT PRIMARY KEY,
    value      TEXT,
    timestamp  TEXT NOT NULL,
    deleted_at TEXT
);
