-- An origin that signed two different entries with the same version (a fork: its key was copied, or a
-- device was restored from a backup and wrote on). Found by comparing chain heads with peers (the hash of
-- each origin's last entry); the origin's entries are refused here until a person decides (revokes the key,
-- or clears the fork). One row per origin: the first fork found.
CREATE TABLE sync_forks (
    origin      TEXT    PRIMARY KEY,
    version     INTEGER NOT NULL,
    hash_here   TEXT    NOT NULL,
    hash_there  TEXT    NOT NULL,
    peer        TEXT    NOT NULL,   -- the device whose head showed it
    detected_at INTEGER NOT NULL    -- ms since the epoch
);
