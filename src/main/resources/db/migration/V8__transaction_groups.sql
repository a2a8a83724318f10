-- Transaction groups (docs/storage.md, "Groups"): 1 when the origin's next entry belongs to the same group
-- as this one. A group is a run of one origin's entries ending in an entry with continues = 0; it holds the
-- changes of whole app transactions, and a receiver puts it on its rows in one transaction once it has the
-- whole run. Entries made before groups existed end their own group.
ALTER TABLE sync_log ADD COLUMN continues INTEGER NOT NULL DEFAULT 0;
