/**
 * Conflicts: what happens when a change from another device was made without seeing this device's
 * version of the row. {@link io.p2psync.conflict.ConflictResolver} is called by the change applier for
 * every incoming entry on a row; it records each conflict in {@code sync_conflicts} and settles it by the
 * table's {@link io.p2psync.conflict.ConflictPolicy}. Every causality decision is made by
 * {@link io.p2psync.changes.VersionVector#compare}; the order of writes that are not causally related is
 * their {@link io.p2psync.conflict.WriteClock} (hybrid clock, then device id). The rules are chosen so that
 * the settled row depends only on the set of entries a device holds, never on the order they arrived in.
 *
 * <p>Depends on {@code changes} (entries, vectors, the log and the row writer) and {@code identity}.
 */
package io.p2psync.conflict;
