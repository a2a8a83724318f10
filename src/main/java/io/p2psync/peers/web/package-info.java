/** {@code GET /peers}: each peer's sources, state, last success and error, next attempt, breaker and lag. */
package io.p2psync.peers.web;
