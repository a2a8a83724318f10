-- Two changes to messaging storage, each a table rebuild (SQLite cannot change a primary key or a CHECK):
--
-- 1. Message and file ids are chosen by their sender, so two senders may choose the same one: rows are keyed by
--    (from_device, id, direction). The same id again from the same sender is still one row (a replay stays
--    idempotent); the same id from another sender is another message.
-- 2. Files go store-and-forward: a relay holds a file for an offline target ('relay' rows, the bytes under
--    files/relay/), and the target's signed receipt travels back to the origin (receipt_signature, received_at);
--    via_device names the relays a file was handed to, or the relay it came through.
CREATE TABLE sync_messages_v18 (
    id            TEXT    NOT NULL,
    direction     TEXT    NOT NULL CHECK (direction IN ('out', 'in', 'relay')),
    from_device   TEXT    NOT NULL,
    to_device     TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    signature     BLOB    NOT NULL,
    status        TEXT    NOT NULL,
    path          TEXT,
    via_device    TEXT,
    delivered_at  INTEGER,
    ack_signature BLOB,
    received_at   INTEGER,
    PRIMARY KEY (from_device, id, direction)
);
INSERT INTO sync_messages_v18 (id, direction, from_device, to_device, content, created_at, signature, status, path,
                               via_device, delivered_at, ack_signature, received_at)
SELECT id, direction, from_device, to_device, content, created_at, signature, status, path, via_device, delivered_at,
       ack_signature, received_at
FROM sync_messages;
DROP TABLE sync_messages;
ALTER TABLE sync_messages_v18 RENAME TO sync_messages;
CREATE INDEX sync_messages_peer ON sync_messages (direction, to_device, from_device, created_at);
CREATE INDEX sync_messages_status ON sync_messages (direction, status);
CREATE INDEX sync_messages_id ON sync_messages (id);

CREATE TABLE sync_file_transfers_v18 (
    id                  TEXT    NOT NULL,
    direction           TEXT    NOT NULL CHECK (direction IN ('out', 'in', 'relay')),
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
    via_device          TEXT,
    received_at         INTEGER,
    receipt_signature   BLOB,
    PRIMARY KEY (from_device, id, direction)
);
INSERT INTO sync_file_transfers_v18 (id, direction, from_device, to_device, name, size, sha256, chunk_size, created_at,
                                     signature, file, status, bytes_done, session_started_at, session_start_bytes,
                                     updated_at, finished_at, error)
SELECT id, direction, from_device, to_device, name, size, sha256, chunk_size, created_at, signature, file, status,
       bytes_done, session_started_at, session_start_bytes, updated_at, finished_at, error
FROM sync_file_transfers;
DROP TABLE sync_file_transfers;
ALTER TABLE sync_file_transfers_v18 RENAME TO sync_file_transfers;
CREATE INDEX sync_file_transfers_status ON sync_file_transfers (direction, status, to_device);
CREATE INDEX sync_file_transfers_id ON sync_file_transfers (id);
