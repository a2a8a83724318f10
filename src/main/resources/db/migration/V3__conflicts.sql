-- Conflicts (issue 4). sync_conflicts (V1) keeps both sides of a concurrent edit:
--   local_data / remote_data          the row as JSON on each side, NULL for a deleted (or absent) row
--   local_version / remote_version    version vectors: the row's before the conflict, the incoming entry's own
--   local_device_id / remote_device_id origin of the entry each side's value came from
-- These columns add each side's hybrid clock and entry (origin#version), the policy that settled it, and a
-- fast lookup of one row's conflicts.
ALTER TABLE sync_conflicts ADD COLUMN local_hlc INTEGER;
ALTER TABLE sync_conflicts ADD COLUMN remote_hlc INTEGER;
ALTER TABLE sync_conflicts ADD COLUMN local_entry TEXT;
ALTER TABLE sync_conflicts ADD COLUMN remote_entry TEXT;
ALTER TABLE sync_conflicts ADD COLUMN policy TEXT;
CREATE INDEX sync_conflicts_row ON sync_conflicts (table_name, record_id, status);
