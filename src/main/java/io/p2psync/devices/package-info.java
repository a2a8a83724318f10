/**
 * Which devices this one syncs with, and proof of who is calling: the {@code sync_devices} table (pending,
 * authorized, revoked and introduced devices), the Ed25519 request signature every {@code /sync/**} call
 * carries and the filter that checks it, and the admin guard (loopback or bearer token) in front of the
 * admin and key-value endpoints. Depends on {@code identity}, {@code storage} (settings) and {@code p2p.core}; the sync feature depends
 * on it, never the other way round.
 */
package io.p2psync.devices;
