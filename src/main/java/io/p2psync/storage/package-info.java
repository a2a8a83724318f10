/**
 * Where the node keeps its data: the global settings ({@link io.p2psync.storage.P2pSyncSettings}), the
 * SQLite file {@code p2psync.database}, the app's own, default {@code <data-dir>/p2psync.db} (WAL, busy
 * timeout, foreign keys, every read-write transaction takes the write lock first:
 * {@link io.p2psync.storage.SqliteTransactionManager}) and the Spring Data JDBC dialect for SQLite. The schema
 * itself is the Flyway migrations under {@code db/migration}, run on the app's file with the node's own
 * history table ({@link io.p2psync.storage.SchemaMigrations}); {@link io.p2psync.storage.RemoveCommand} takes
 * it all out again. Depends on no other feature package. See docs/storage.md.
 */
package io.p2psync.storage;
