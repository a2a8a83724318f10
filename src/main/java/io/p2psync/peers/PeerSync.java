package io.p2psync.peers;

import io.p2psync.sync.RoundObserver;
import io.p2psync.sync.SyncManager;

/**
 * One pull-then-push with one paired peer; what {@link PeerRunner} runs under the peer's guards, whatever
 * asked for the round. The one implementation calls {@link SyncManager}; tests give their own.
 */
@FunctionalInterface
public interface PeerSync {

    /**
     * @param peer a paired peer
     * @return what the round did
     * @throws Exception if the round could not complete (peer unreachable, timed out, refused the call, ...)
     */
    RoundOutcome sync(Peer peer) throws Exception;

    /**
     * The same, telling {@code observer} how the round goes; by default it is told nothing.
     *
     * @throws Exception if the round could not complete
     */
    default RoundOutcome sync(Peer peer, RoundObserver observer) throws Exception {
        return sync(peer);
    }
}
