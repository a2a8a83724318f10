/**
 * REST sync between devices: answering pulls from the change log, receiving pushed or pulled entries
 * (refusing revoked origins, listing unknown ones as introduced) through the change log's applier, the
 * signed HTTP client for other devices, and {@link io.p2psync.sync.SyncManager}, which runs a
 * pull-then-push round with a peer. Depends on {@code changes}, {@code devices} and {@code identity}.
 */
package io.p2psync.sync;
