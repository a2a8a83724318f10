/**
 * Where the node keeps its data: the global settings ({@link io.p2psync.storage.P2pSyncSettings}), the
 * SQLite file {@code <data-dir>/p2psync.db} (WAL, busy timeout, foreign keys, every transaction
 * {@code BEGIN IMMEDIATE}) and the Spring Data JDBC dialect for SQLite. The schema itself is the Flyway
 * migrations under {@code db/migration}. Depends on no other feature package. See docs/storage.md.
 */
package io.p2psync.storage;
