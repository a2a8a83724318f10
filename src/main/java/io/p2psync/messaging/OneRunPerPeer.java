package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pass per peer at a time, and none asked for in vain: a pass asked for while one for the same peer runs is
 * not run beside it, but makes the running one run again once it ends. Relays use it to hand on what they hold
 * for a device: each connect, newly held item and retry asks for a pass, and a request that comes while a
 * pass is under way (it may have looked already) is taken up by that pass's owner, or by the asker if the owner
 * let go in between. Passes for different peers run side by side. Thread-safe.
 */
final class OneRunPerPeer {

    private final Set<PeerId> running = ConcurrentHashMap.newKeySet();
    private final Set<PeerId> asked = ConcurrentHashMap.newKeySet();

    /**
     * Runs {@code pass} for {@code peer} on this thread now, or leaves it to the thread running one. A pass that
     * throws does not strand a request made during it: the passes asked for go on, and the last failure is
     * thrown once none is left.
     */
    void run(PeerId peer, Runnable pass) {
        asked.add(peer);
        RuntimeException failed = null;
        // A request made after the owner's last look but before it let go is seen here, after its finally,
        // and taken up by the owner or by this thread, whichever takes the peer first.
        while (asked.contains(peer) && running.add(peer)) {
            try {
                while (asked.remove(peer)) {
                    try {
                        pass.run();
                    } catch (RuntimeException e) {
                        failed = e;
                    }
                }
            } finally {
                running.remove(peer);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
