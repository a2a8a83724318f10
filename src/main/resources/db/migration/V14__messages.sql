-- Direct messages between devices, in one table for the three roles a node plays: 'out' (this device is the
-- origin), 'in' (this device is the target; one row per id however often it arrives) and 'relay' (held for a
-- target that was offline, handed on when the two meet). The origin's signature travels with the message.
CREATE TABLE sync_messages (
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
    PRIMARY KEY (id, direction)
);
CREATE INDEX sync_messages_peer ON sync_messages (direction, to_device, from_device, created_at);
CREATE INDEX sync_messages_status ON sync_messages (direction, status);

-- The last known libp2p addresses of a device, and when they last worked.
CREATE TABLE sync_peer_routes (
    device_id  TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    learned_at INTEGER NOT NULL,
    worked_at  INTEGER,
    PRIMARY KEY (device_id, address)
);
