-- A compact change log (docs/storage.md, "A compact log"). What a device keeps per synced row bounds how fast it
-- takes in a sync: before this, a received row cost about 950 bytes in six B-tree entries against about 120 for
-- the row alone. The 52-character device id stood five times in it (an entry's origin, its unique index and
-- received_from; a row state's origin and vector), and hashes were stored as 64 hex characters, twice.
--
-- Now:
--  * each device id is stored once, in sync_origins, and the log and the row states refer to it by number;
--  * an entry's hash is its 32 raw bytes, and its previous hash is not stored: it is the hash of the origin's
--    previous entry, which the log holds (entries are stored only once their chain checks);
--  * an entry whose group continues has no signature (NULL, not ''), as before;
--  * a row state's vector is NULL when it is just {origin: version}, the row's vector whenever one device alone
--    wrote the row, which is every row of an initial sync.
-- The entries and vectors travel exactly as before; only how they are kept has changed. The views
-- sync_log_view and sync_row_state_view show both tables with device ids and hex hashes, for people.

CREATE TABLE sync_origins (
    id        INTEGER PRIMARY KEY,
    device_id TEXT    NOT NULL UNIQUE
);
INSERT INTO sync_origins (device_id)
SELECT device_id FROM sync_log
 UNION SELECT received_from FROM sync_log WHERE received_from IS NOT NULL
 UNION SELECT origin FROM sync_row_state;

CREATE TABLE sync_log_compact (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- log order; never reused
    origin          INTEGER NOT NULL,                  -- sync_origins.id of the device that made the change
    version         INTEGER NOT NULL,                  -- per-origin sequence, 1, 2, 3 ... without gaps
    timestamp       INTEGER NOT NULL,
    hlc             INTEGER NOT NULL,
    table_name      TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    operation       TEXT    NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    change_data     TEXT,
    changed_columns TEXT,
    base            TEXT    NOT NULL,
    kind            TEXT    NOT NULL DEFAULT 'EDIT' CHECK (kind IN ('EDIT', 'RESOLUTION')),
    continues       INTEGER NOT NULL DEFAULT 0,
    hash            BLOB    NOT NULL CHECK (length(hash) = 32), -- SHA-256 of the canonical encoding, raw
    signature       TEXT,                              -- base64 Ed25519 signature; NULL while the group continues
    is_synced       INTEGER NOT NULL DEFAULT 0,
    received_from   INTEGER,                           -- sync_origins.id of the device that delivered it
    received_at     INTEGER,
    UNIQUE (origin, version)
);
INSERT INTO sync_log_compact (id, origin, version, timestamp, hlc, table_name, record_id, operation, change_data,
                              changed_columns, base, kind, continues, hash, signature, is_synced, received_from,
                              received_at)
SELECT l.id, o.id, l.version, l.timestamp, l.hlc, l.table_name, l.record_id, l.operation, l.change_data,
       l.changed_columns, l.base, l.kind, l.continues, unhex(l.hash), NULLIF(l.signature, ''), l.is_synced, r.id,
       l.received_at
  FROM sync_log l
  JOIN sync_origins o ON o.device_id = l.device_id
  LEFT JOIN sync_origins r ON r.device_id = l.received_from
 ORDER BY l.id;
DROP TABLE sync_log;
ALTER TABLE sync_log_compact RENAME TO sync_log;
CREATE INDEX sync_log_row ON sync_log (table_name, record_id);

CREATE TABLE sync_row_state_compact (
    table_name    TEXT    NOT NULL,
    record_id     TEXT    NOT NULL,
    vector        TEXT,                               -- canonical version vector JSON; NULL = {origin: version}
    origin        INTEGER NOT NULL,                   -- sync_origins.id of the entry whose value the row holds
    version       INTEGER NOT NULL,
    hlc           INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    column_clocks TEXT,
    column_hashes TEXT,
    PRIMARY KEY (table_name, record_id)
) WITHOUT ROWID;
INSERT INTO sync_row_state_compact (table_name, record_id, vector, origin, version, hlc, deleted, column_clocks,
                                    column_hashes)
SELECT s.table_name, s.record_id, NULLIF(s.vector, json_object(s.origin, s.version)), o.id, s.version, s.hlc,
       s.deleted, s.column_clocks, s.column_hashes
  FROM sync_row_state s
  JOIN sync_origins o ON o.device_id = s.origin;
DROP TABLE sync_row_state;
ALTER TABLE sync_row_state_compact RENAME TO sync_row_state;

CREATE VIEW sync_log_view AS
SELECT l.id, o.device_id, l.version, l.timestamp, l.hlc, l.table_name, l.record_id, l.operation, l.change_data,
       l.changed_columns, l.base, l.kind, l.continues,
       (SELECT lower(hex(p.hash)) FROM sync_log p WHERE p.origin = l.origin AND p.version = l.version - 1) AS prev_hash,
       lower(hex(l.hash)) AS hash, l.signature, l.is_synced, r.device_id AS received_from, l.received_at
  FROM sync_log l
  JOIN sync_origins o ON o.id = l.origin
  LEFT JOIN sync_origins r ON r.id = l.received_from;

CREATE VIEW sync_row_state_view AS
SELECT s.table_name, s.record_id, COALESCE(s.vector, json_object(o.device_id, s.version)) AS vector,
       o.device_id AS origin, s.version, s.hlc, s.deleted, s.column_clocks, s.column_hashes
  FROM sync_row_state s
  JOIN sync_origins o ON o.id = s.origin;
