-- No query reads sync_log by clock or by is_synced: the clock starts from this device's last entry, found
-- through UNIQUE (device_id, version), and entries are marked synced by that key too. Each of these indexes
-- was one more B-tree entry written for every entry sealed or received (the unsynced one held every
-- received entry, whose is_synced stays 0), in a log whose size bounds how fast a device takes in a sync.
DROP INDEX IF EXISTS sync_log_unsynced;
DROP INDEX IF EXISTS sync_log_hlc;
