/**
 * {@code GET /status}: who this node is and how much it holds (device id and name, version vector, counts
 * of log entries, devices and pending conflicts). Reads only; depends on {@code identity}, {@code changes}
 * and {@code storage}.
 */
package io.p2psync.status;
