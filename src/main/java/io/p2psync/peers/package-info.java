/**
 * Keeping every peer caught up: the peer list ({@link io.p2psync.peers.PeerDirectory}, from authorized
 * devices, configuration and optionally the tailnet), the scheduled catch-up
 * ({@link io.p2psync.peers.CatchUpScheduler}, every {@code p2psync.sync.interval} and once at start-up) with
 * resilience4j retry, circuit breaker and time limit per peer ({@link io.p2psync.peers.PeerGuards}), the quick
 * push after local changes ({@link io.p2psync.peers.ChangeNotifier}) and the per-peer state behind
 * {@code GET /peers}. Runs rounds through {@code sync}; depends on {@code sync}, {@code devices} and
 * {@code changes}.
 */
package io.p2psync.peers;
