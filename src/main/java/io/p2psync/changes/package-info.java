/**
 * Change capture and the change log. Triggers on every tracked table write each change to
 * {@code sync_capture}; {@link io.p2psync.changes.ChangeTracker} seals them into signed, hash-chained
 * {@link io.p2psync.changes.ChangeEntry entries} in {@code sync_log}; {@link io.p2psync.changes.RemoteChangeApplier}
 * applies entries from other devices without capturing them again; {@link io.p2psync.changes.VersionVector}
 * is the one place causality is decided. Depends on {@code identity} and {@code storage}. See docs/storage.md.
 */
package io.p2psync.changes;
