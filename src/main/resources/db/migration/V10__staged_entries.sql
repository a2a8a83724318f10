-- Group signatures (docs/storage.md, "Group signatures"): only the entry that ends a group is signed. The
-- entries of a group that a delivery did not finish (its last entry comes in a later page or message) cannot
-- be checked yet, so they wait here, outside the log, until the group's signed last entry arrives; then they
-- enter sync_log with it. Keyed by content, not by sender: entries that never chain to a signed end (a
-- faulty or hostile sender's) are never used and are removed once their origin's log has gone past them.
CREATE TABLE sync_staged (
    device_id       TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    hash            TEXT    NOT NULL,
    hlc             INTEGER NOT NULL,
    timestamp       INTEGER NOT NULL,
    table_name      TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    operation       TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    change_data     TEXT,
    changed_columns TEXT,
    base            TEXT    NOT NULL,
    prev_hash       TEXT,
    signature       TEXT    NOT NULL,
    continues       INTEGER NOT NULL,
    received_from   TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    PRIMARY KEY (device_id, version, hash)
) WITHOUT ROWID;
