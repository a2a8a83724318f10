-- The registry's own database (never the node's synced file): SQLite by default, PostgreSQL at scale.
-- Written in the SQL both accept; times are milliseconds since the epoch.

-- A group of devices sharing one bearer token; only the token's SHA-256 is kept.
CREATE TABLE registry_networks (
    network_id  VARCHAR(64)  NOT NULL PRIMARY KEY,
    name        VARCHAR(200),
    token_hash  VARCHAR(64)  NOT NULL UNIQUE,
    created_at  BIGINT       NOT NULL
);

-- The last announcement taken from each device of a network.
CREATE TABLE registry_presence (
    network_id    VARCHAR(64)   NOT NULL REFERENCES registry_networks (network_id),
    device_id     VARCHAR(176)  NOT NULL,
    name          VARCHAR(200),
    multiaddrs    TEXT          NOT NULL,  -- JSON array of strings
    rest_url      VARCHAR(2048),
    coordinators  TEXT          NOT NULL,  -- JSON array of device ids
    signed_at     BIGINT        NOT NULL,  -- the announcement's own timestamp: a later one only replaces it
    last_seen     BIGINT        NOT NULL,  -- when this registry took it
    PRIMARY KEY (network_id, device_id)
);
-- A name names one device per network.
CREATE UNIQUE INDEX registry_presence_name ON registry_presence (network_id, name);
CREATE INDEX registry_presence_seen ON registry_presence (network_id, last_seen);

-- Coordinators' heartbeats.
CREATE TABLE registry_coordinators (
    network_id  VARCHAR(64)   NOT NULL REFERENCES registry_networks (network_id),
    device_id   VARCHAR(176)  NOT NULL,
    load        INTEGER       NOT NULL,
    multiaddrs  TEXT          NOT NULL,
    signed_at   BIGINT        NOT NULL,
    last_seen   BIGINT        NOT NULL,
    PRIMARY KEY (network_id, device_id)
);

-- Fixed-window request counters (per token, per device), shared by every instance on the database.
CREATE TABLE registry_rate (
    bucket        VARCHAR(256)  NOT NULL PRIMARY KEY,
    window_start  BIGINT        NOT NULL,
    hits          INTEGER       NOT NULL
);
