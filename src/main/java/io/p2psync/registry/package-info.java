/**
 * What the registry's server and its clients share: the signed bodies a device sends
 * ({@link io.p2psync.registry.Announcement}, {@link io.p2psync.registry.CoordinatorHeartbeat}), the presence the
 * registry answers ({@link io.p2psync.registry.Presence}) and the one signing scheme
 * ({@link io.p2psync.registry.RegistrySignature}). Depends on {@code identity} and the {@code p2p} library's keys.
 */
package io.p2psync.registry;
