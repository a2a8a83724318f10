/**
 * {@code GET /status}: who this node is and how much it holds (device id and name, version vector, counts
 * of log entries, devices and pending conflicts, libp2p listen addresses). Also the gauge {@code p2psync.capture.lag}
 * ({@link io.p2psync.status.CaptureLag}). Reads only; depends on {@code identity}, {@code changes},
 * {@code storage} and {@code live} (for the listen addresses).
 */
package io.p2psync.status;
