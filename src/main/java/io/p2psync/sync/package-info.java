/**
 * REST sync between devices: answering pulls from the change log, receiving pushed or pulled entries
 * (refusing revoked origins, listing unknown ones as introduced) through the change log's applier, the
 * signed HTTP client for other devices, and {@link io.p2psync.sync.SyncManager}, which runs one
 * pull-then-push round with a peer. When and with whom rounds run is the {@code peers} feature's job.
 * Depends on {@code changes}, {@code devices} and {@code identity}.
 */
package io.p2psync.sync;
