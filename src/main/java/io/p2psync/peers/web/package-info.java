/**
 * {@code GET /peers} (each peer's sources, state, last success and error, next attempt, breaker, lag, refusals,
 * held entries and the running round's progress) and {@code POST /sync/now} (a round now, through the per-peer
 * scheduler, answered when it ends).
 */
package io.p2psync.peers.web;
