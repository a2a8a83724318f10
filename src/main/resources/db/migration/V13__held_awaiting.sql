-- An entry held because its base names a version this device does not have yet (reason 'unknown-base')
-- records which: the origin and version it awaits. When entries of that origin are stored, exactly the holds
-- they release are retried, at once, instead of every hold on every arrival.
ALTER TABLE sync_held ADD COLUMN awaits_origin TEXT;
ALTER TABLE sync_held ADD COLUMN awaits_version INTEGER;
CREATE INDEX sync_held_awaits ON sync_held (awaits_origin, awaits_version) WHERE awaits_origin IS NOT NULL;
