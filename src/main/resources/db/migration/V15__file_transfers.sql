-- Files sent between devices in chunks: one row per transfer and role, 'out' (sent from here) or 'in'
-- (received here). bytes_done is what the target has confirmed (out) or written (in), so a transfer cut half
-- way resumes there. The origin's signature covers the manifest (id, from, to, name, size, SHA-256, chunk size).
CREATE TABLE sync_file_transfers (
    id                  TEXT    NOT NULL,
    direction           TEXT    NOT NULL CHECK (direction IN ('out', 'in')),
    from_device         TEXT    NOT NULL,
    to_device           TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    size                INTEGER NOT NULL,
    sha256              TEXT    NOT NULL,
    chunk_size          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    signature           BLOB    NOT NULL,
    file                TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    bytes_done          INTEGER NOT NULL DEFAULT 0,
    session_started_at  INTEGER,
    session_start_bytes INTEGER,
    updated_at          INTEGER,
    finished_at         INTEGER,
    error               TEXT,
    PRIMARY KEY (id, direction)
);
CREATE INDEX sync_file_transfers_status ON sync_file_transfers (direction, status, to_device);
