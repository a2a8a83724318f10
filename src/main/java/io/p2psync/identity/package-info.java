/**
 * Who this device is: its Ed25519 key pair, kept in the data directory, whose libp2p peer id is the device
 * id everywhere (sync_devices, change log entries, request signatures, the libp2p network); and the hybrid
 * logical clock that orders its changes. Depends on {@code p2p.core} and the data dir setting of {@code storage}.
 */
package io.p2psync.identity;
