package io.p2psync.changes;

/**
 * The reconciliation scan compared every row of a table that was waiting for it ({@link UnscannedTables}): entries
 * from other devices may be written to it again.
 */
record TableScanned(String table) {
}
