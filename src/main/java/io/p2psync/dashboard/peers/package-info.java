/**
 * The dashboard's peers page: each peer's state from {@code peers}, the latest round with it, the running
 * round's progress, held entries with their reasons, and "sync now" through the per-peer scheduler.
 */
package io.p2psync.dashboard.peers;
