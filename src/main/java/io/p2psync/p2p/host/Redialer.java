package io.p2psync.p2p.host;

import io.netty.util.concurrent.EventExecutorGroup;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps peers that were dialled on purpose connected: after a peer is lost it is dialled again at
 * the address that last worked, with the backoff of a {@link RedialPolicy}, until a dial succeeds, the
 * attempts run out, or it is forgotten. Thread-safe.
 */
final class Redialer {

    private static final Logger log = LoggerFactory.getLogger(Redialer.class);

    private final RedialPolicy policy;
    private final EventExecutorGroup scheduler;
    private final Function<Multiaddr, CompletableFuture<?>> dial;
    private final Predicate<PeerId> connected;
    private final Map<PeerId, Multiaddr> wanted = new HashMap<>();
    private final Map<PeerId, Integer> attempts = new HashMap<>();
    private boolean closed;

    Redialer(RedialPolicy policy, EventExecutorGroup scheduler, Function<Multiaddr, CompletableFuture<?>> dial,
            Predicate<PeerId> connected) {
        this.policy = policy;
        this.scheduler = scheduler;
        this.dial = dial;
        this.connected = connected;
    }

    /** {@code peer} was reached at {@code address}: keep it connected from now on. */
    synchronized void remember(PeerId peer, Multiaddr address) {
        if (!closed) {
            wanted.put(peer, address);
            attempts.remove(peer);
        }
    }

    /** Stops redialling {@code peer}. */
    synchronized void forget(PeerId peer) {
        wanted.remove(peer);
        attempts.remove(peer);
    }

    /** Stops all redialling for good. */
    synchronized void close() {
        closed = true;
        wanted.clear();
        attempts.clear();
    }

    /** The last connection to {@code peer} closed, or a redial of it failed: try again after a while. */
    synchronized void lost(PeerId peer) {
        Multiaddr address = wanted.get(peer);
        if (closed || address == null) {
            return;
        }
        int attempt = attempts.merge(peer, 1, Integer::sum);
        if (attempt > policy.maxAttempts()) {
            log.info("giving up on {} after {} redials", peer, attempt - 1);
            forget(peer);
            return;
        }
        long delay = policy.delay(attempt).toMillis();
        log.debug("redialling {} in {} ms (attempt {})", peer, delay, attempt);
        scheduler.schedule(() -> redial(peer, address), delay, TimeUnit.MILLISECONDS);
    }

    private void redial(PeerId peer, Multiaddr address) {
        synchronized (this) {
            if (closed || !address.equals(wanted.get(peer)) || connected.test(peer)) {
                return;
            }
        }
        dial.apply(address).whenComplete((connection, error) -> {
            if (error != null) {
                lost(peer);
            }
        });
    }
}
