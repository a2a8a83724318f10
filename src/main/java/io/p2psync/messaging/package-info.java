/**
 * Direct messages between a user's authorized devices: signed by the origin's device key, carried on the
 * libp2p stream protocol {@code /p2p-sync/msg/1.0.0}, acknowledged by the target with a signed ACK. The
 * target is found along a ladder (open connection, cached routes, connected devices asked by PEER_QUERY, the
 * registry when one is configured) and otherwise the message is stored and forwarded by devices that will meet
 * it. Files travel the same ways in checked chunks, resume after a cut, and are held by relays (within a byte
 * quota per target) for a device that is offline, the target's signed receipt travelling back. Messages, routes
 * and transfers live in the node's SQLite file ({@code sync_messages}, {@code sync_peer_routes},
 * {@code sync_file_transfers}), keyed by sender and id.
 * Settings under {@code p2psync.messaging} ({@link io.p2psync.messaging.MessagingSettings}); see
 * docs/messaging.md. Depends on {@code p2p}, {@code live} (the host), {@code devices} and {@code identity}.
 */
package io.p2psync.messaging;
