/**
 * The Spring side of the live network: starts the libp2p host of {@code io.p2psync.p2p} with the device key,
 * joins the gossipsub topic, publishes every new change log entry, checks and applies received ones through
 * the same code as a REST pull, and asks the per-peer scheduler of {@code peers} for a REST round whenever a peer
 * connects or gossip may have missed something.
 * Settings under {@code p2psync.libp2p} ({@link io.p2psync.live.LiveSettings}); see docs/live.md. Depends on
 * {@code p2p}, {@code changes}, {@code devices}, {@code identity}, {@code kv}, {@code sync} and {@code peers}; nothing
 * depends on it except {@code status}, which lists the listen addresses.
 */
package io.p2psync.live;
