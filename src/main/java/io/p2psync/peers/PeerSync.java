package io.p2psync.peers;

import io.p2psync.sync.SyncManager;
/**
 * One pull-then-push with one paired peer; what the catch-up job and the change notifier run under the
 * peer's guards. The one implementation calls {@link SyncManager}; tests give their own.
 */
@FunctionalInterface
public interface PeerSync {

    /**
     * @param peer a paired peer
     * @return what the round did
     * @throws Exception if the round could not complete (peer unreachable, timed out, refused the call, ...)
     */
    RoundOutcome sync(Peer peer) throws Exception;
}
