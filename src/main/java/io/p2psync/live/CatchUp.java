package io.p2psync.live;

import io.p2psync.changes.EntryRef;
import io.p2psync.changes.VersionVector;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the per-peer scheduler ({@link PeerRunner}) for a round with one peer, so that nothing depends on
 * gossip delivery: when an authorized peer connects, when an entry arrives after a gap, when a peer goes over
 * its rate or a delivered entry did not apply. The round runs like every other one: one at a time per peer
 * (a request while one runs becomes one more round after it), under the peer's breaker and time limit. The
 * peer's url is the one learned from identify, else the one in {@code sync_devices}; without one, or when it
 * cannot be reached, the round runs over the libp2p connection ({@code SyncProtocol}). Returns at once.
 *
 * <p>An entry that arrived after a gap ({@link #missing}) is chased until this node holds it: a node forwards
 * an entry it accepted before it has stored it, so the sender's round may not have it yet, and the entry
 * itself was dropped and will not come by gossip again. After each round with the sender that leaves it
 * missing, a round with the entry's origin (if it is a paired device: it holds every entry it made), then
 * both again after {@link #FIRST_RETRY}, doubling, {@link #ATTEMPTS} times in all; then the scheduled catch-up
 * takes over.
 */
final class CatchUp {

    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    /** Rounds with the sender (and the origin) for one gap, at most. */
    static final int ATTEMPTS = 6;
    /** The pause before the second attempt; each later one waits twice as long (1 + 2 + … + 16 s: half a minute). */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final PeerRunner runner;
    private final PeerDirectory directory;
    private final LearnedRestUrls urls;
    private final Supplier<VersionVector> held;
    private final BiConsumer<Duration, Runnable> later;
    private final Duration firstRetry;
    /** Per sender being chased: the highest version of each origin it gossiped that this node lacked. */
    private final Map<PeerId, Map<String, Long>> wanted = new HashMap<>();

    /**
     * @param held  what this node holds (the change log's version vector)
     * @param later runs a later attempt after a pause ({@link PeerRunner#later}); runs nothing once stopping
     */
    CatchUp(PeerRunner runner, PeerDirectory directory, LearnedRestUrls urls, Supplier<VersionVector> held,
            BiConsumer<Duration, Runnable> later) {
        this(runner, directory, urls, held, later, FIRST_RETRY);
    }

    CatchUp(PeerRunner runner, PeerDirectory directory, LearnedRestUrls urls, Supplier<VersionVector> held,
            BiConsumer<Duration, Runnable> later, Duration firstRetry) {
        this.runner = runner;
        this.directory = directory;
        this.urls = urls;
        this.held = held;
        this.later = later;
        this.firstRetry = firstRetry;
    }

    /** Gossip may have missed something from {@code peer}: a round with it. */
    void request(PeerId peer) {
        target(peer).ifPresent(p -> runner.submit(p, PeerRunner.Trigger.GAP));
    }

    /**
     * {@code peer} gossiped {@code entry}, and this node lacks entries before it: rounds with the peer, and with
     * the entry's origin, until this node holds the entry (see the class comment). One chase per peer at a time;
     * what a peer gossips meanwhile joins it.
     */
    void missing(PeerId peer, EntryRef entry) {
        boolean start;
        synchronized (wanted) {
            Map<String, Long> versions = wanted.get(peer);
            start = versions == null;
            if (start) {
                versions = new HashMap<>();
                wanted.put(peer, versions);
            }
            versions.merge(entry.origin(), entry.version(), Math::max);
        }
        if (start) {
            attempt(peer, 1);
        }
    }

    /** {@code peer} connected: a round with it; a connection is a sign it is back, so an open breaker lets a trial through. */
    void connected(PeerId peer) {
        target(peer).ifPresent(p -> runner.submit(p, PeerRunner.Trigger.CONNECTED));
    }

    /** Attempt {@code n} of a chase: a round with the sender, then, if still missing, one with each origin. */
    private void attempt(PeerId sender, int n) {
        Optional<Peer> target = target(sender);
        CompletableFuture<?> round = target.isPresent() ? runner.request(target.get(), PeerRunner.Trigger.GAP)
                : CompletableFuture.completedFuture(null);
        round.whenComplete((r, e) -> {
            Map<String, Long> lacking = lacking(sender);
            if (lacking.isEmpty()) {
                return;
            }
            CompletableFuture<?> origins = CompletableFuture.completedFuture(null);
            for (String origin : lacking.keySet()) {
                Optional<Peer> o = origin.equals(sender.toString()) ? Optional.empty() : originPeer(origin);
                if (o.isPresent()) {
                    origins = origins.thenCompose(x -> runner.request(o.get(), PeerRunner.Trigger.GAP));
                }
            }
            origins.whenComplete((x, f) -> next(sender, n));
        });
    }

    /** After attempt {@code n}: done if nothing is missing, else the next attempt after its pause, or give up. */
    private void next(PeerId sender, int n) {
        Map<String, Long> lacking = lacking(sender);
        if (lacking.isEmpty()) {
            return;
        }
        if (n >= ATTEMPTS) {
            synchronized (wanted) {
                wanted.remove(sender);
            }
            log.info("still missing entries {} gossiped by {} after {} rounds; the scheduled catch-up fetches them",
                    lacking, sender, n);
            return;
        }
        later.accept(firstRetry.multipliedBy(1L << (n - 1)), () -> attempt(sender, n + 1));
    }

    /**
     * What {@code sender}'s chase still waits for, forgetting what this node now holds; the chase ends (and a
     * later gap starts a new one) when nothing is left.
     */
    private Map<String, Long> lacking(PeerId sender) {
        VersionVector have = held.get();
        synchronized (wanted) {
            Map<String, Long> versions = wanted.get(sender);
            if (versions == null) {
                return Map.of();
            }
            versions.entrySet().removeIf(v -> have.get(v.getKey()) >= v.getValue());
            if (versions.isEmpty()) {
                wanted.remove(sender);
                return Map.of();
            }
            return Map.copyOf(versions);
        }
    }

    /** The entry's origin as a peer to sync with, if it is a paired device with a way to reach it. */
    private Optional<Peer> originPeer(String origin) {
        try {
            return target(PeerId.parse(origin));
        } catch (IllegalArgumentException notAPeerId) {
            return Optional.empty();
        }
    }

    private Optional<Peer> target(PeerId id) {
        try {
            Optional<Peer> peer = directory.target(id, urls.get(id).map(URI::create).orElse(null));
            if (peer.isEmpty()) {
                log.debug("not catching up with {}: not an authorized device", id);
            }
            return peer;
        } catch (RuntimeException e) {
            log.warn("cannot catch up with {}: {}", id, e.toString());
            return Optional.empty();
        }
    }
}
