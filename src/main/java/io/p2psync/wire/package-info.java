/**
 * What crosses the network for sync: entries and version vectors as REST bodies and gossip payloads carry
 * them, with a format version. Domain records ({@link io.p2psync.changes.ChangeEntry},
 * {@link io.p2psync.changes.VersionVector}) are converted to and from these in one place, so renaming a
 * domain field never changes the protocol; docs/protocol.md describes the format. Depends on {@code changes}.
 */
package io.p2psync.wire;
