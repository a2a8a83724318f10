/**
 * REST sync between devices: answering pulls from the change log, receiving pushed or pulled entries
 * (refusing revoked origins, listing unknown ones as introduced) through the change log's applier, the
 * signed HTTP client for other devices, and {@link io.p2psync.sync.SyncManager}, which runs a
 * pull-then-push round with a peer; and the automatic side: the peer list ({@link io.p2psync.sync.PeerDirectory},
 * from devices, configuration and the tailnet), the scheduled catch-up ({@link io.p2psync.sync.CatchUpScheduler})
 * with resilience4j guards per peer ({@link io.p2psync.sync.PeerGuards}), and the quick push after local
 * changes ({@link io.p2psync.sync.ChangeNotifier}). Depends on {@code changes}, {@code devices} and {@code identity}.
 */
package io.p2psync.sync;
