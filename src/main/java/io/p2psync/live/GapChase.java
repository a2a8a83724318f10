package io.p2psync.live;

import io.p2psync.changes.EntryRef;
import io.p2psync.changes.VersionVector;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerRunner;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chases an entry that arrived by gossip after a gap ({@link #missing}) until this node holds it: a node forwards
 * an entry it accepted before it has stored it, so the sender's round may not have it yet, and the entry itself
 * was dropped and will not come by gossip again. After each round with the sender that leaves it missing, a
 * round with the entry's origin (if it is a paired device: it holds every entry it made), then both again after
 * {@link #FIRST_RETRY}, doubling up to 16 s, {@link #ATTEMPTS} times in all (counted again from the first when
 * the sender gossips a newer entry meanwhile, up to {@link #MAX_ATTEMPTS} in all); then the scheduled catch-up
 * takes over. The rounds are the per-peer scheduler's ({@link PeerRunner#request}), with the peers
 * {@link CatchUp#target} finds.
 */
final class GapChase {

    private static final Logger log = LoggerFactory.getLogger(GapChase.class);

    /** Rounds with the sender (and the origin) for one gap, at most. */
    static final int ATTEMPTS = 6;
    /** Attempts of one chase in all, however often newer entries gave it its attempts again. */
    static final int MAX_ATTEMPTS = 3 * ATTEMPTS;
    /** The pause before the second attempt; each later one waits twice as long (1 + 2 + … + 16 s: half a minute). */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final PeerRunner runner;
    private final Function<PeerId, Optional<Peer>> targets;
    private final Supplier<VersionVector> held;
    private final BiConsumer<Duration, Runnable> later;
    private final Duration firstRetry;
    /** Per sender being chased: what it gossiped that this node lacked, and how far the chase has come. */
    private final Map<PeerId, Chase> chases = new HashMap<>();

    /** One sender's chase; guarded by {@link #chases}. */
    private static final class Chase {
        /** The highest version of each origin the sender gossiped after a gap. */
        final Map<String, Long> versions = new HashMap<>();
        /** Attempts made since the chase began or last learned of a newer entry. */
        int attempts;
        /** Attempts made since the chase began; the pauses grow with these. */
        int total;
    }

    /**
     * @param targets the peer to sync with for a device id, if any ({@link CatchUp#target})
     * @param held    what this node holds (the change log's version vector)
     * @param later   runs a later attempt after a pause ({@link PeerRunner#later}); runs nothing once stopping
     */
    GapChase(PeerRunner runner, Function<PeerId, Optional<Peer>> targets, Supplier<VersionVector> held,
             BiConsumer<Duration, Runnable> later) {
        this(runner, targets, held, later, FIRST_RETRY);
    }

    GapChase(PeerRunner runner, Function<PeerId, Optional<Peer>> targets, Supplier<VersionVector> held,
             BiConsumer<Duration, Runnable> later, Duration firstRetry) {
        this.runner = runner;
        this.targets = targets;
        this.held = held;
        this.later = later;
        this.firstRetry = firstRetry;
    }

    /**
     * {@code peer} gossiped {@code entry}, and this node lacks entries before it: rounds with the peer, and with
     * the entry's origin, until this node holds the entry (see the class comment). One chase per peer at a time;
     * what a peer gossips meanwhile joins it, and a newer entry gives it its full number of attempts again.
     */
    void missing(PeerId peer, EntryRef entry) {
        boolean start;
        synchronized (chases) {
            Chase chase = chases.get(peer);
            start = chase == null;
            if (start) {
                chase = new Chase();
                chases.put(peer, chase);
            }
            Long before = chase.versions.get(entry.origin());
            if (before == null || entry.version() > before) {
                chase.versions.put(entry.origin(), entry.version());
                chase.attempts = 0;
            }
        }
        if (start) {
            guarded(peer, () -> attempt(peer));
        }
    }

    /** One attempt of a chase: a round with the sender, then, if still missing, one with each origin. */
    private void attempt(PeerId sender) {
        synchronized (chases) {
            Chase chase = chases.get(sender);
            if (chase == null) {
                return;
            }
            chase.attempts++;
            chase.total++;
        }
        Optional<Peer> target = targets.apply(sender);
        CompletableFuture<?> round = target.isPresent() ? runner.request(target.get(), PeerRunner.Trigger.GAP)
                : CompletableFuture.completedFuture(null);
        round.whenComplete((r, e) -> guarded(sender, () -> afterSender(sender)));
    }

    /** After the round with the sender: rounds with the origins of what is still missing, then {@link #next}. */
    private void afterSender(PeerId sender) {
        CompletableFuture<?> origins = CompletableFuture.completedFuture(null);
        for (String origin : lacking(sender)) {
            Optional<Peer> o = origin.equals(sender.toString()) ? Optional.empty() : originPeer(origin);
            if (o.isPresent()) {
                origins = origins.thenCompose(x -> runner.request(o.get(), PeerRunner.Trigger.GAP));
            }
        }
        origins.whenComplete((x, f) -> guarded(sender, () -> next(sender)));
    }

    /** After an attempt: done if nothing is missing, else the next attempt after its pause, or give up. */
    private void next(PeerId sender) {
        VersionVector have = held.get();
        int total;
        synchronized (chases) {
            Chase chase = chases.get(sender);
            if (chase == null || forget(chase, have)) {
                chases.remove(sender);
                return;
            }
            total = chase.total;
            if (chase.attempts >= ATTEMPTS || total >= MAX_ATTEMPTS) {
                chases.remove(sender);
                log.info("still missing entries {} gossiped by {} after {} attempts; the scheduled catch-up fetches "
                        + "them", chase.versions, sender, total);
                return;
            }
        }
        // 1, 2, 4, 8, then 16 s between attempts, however often newer entries gave the chase its attempts again
        later.accept(firstRetry.multipliedBy(1L << Math.min(total - 1, 4)), () -> guarded(sender, () -> attempt(sender)));
    }

    /** The origins {@code sender}'s chase still waits for, forgetting what this node now holds. */
    private java.util.Set<String> lacking(PeerId sender) {
        VersionVector have = held.get();
        synchronized (chases) {
            Chase chase = chases.get(sender);
            if (chase == null) {
                return java.util.Set.of();
            }
            forget(chase, have);
            return java.util.Set.copyOf(chase.versions.keySet());
        }
    }

    /** Drops from the chase what {@code have} holds; true if nothing is left. Called holding the lock. */
    private static boolean forget(Chase chase, VersionVector have) {
        chase.versions.entrySet().removeIf(v -> have.get(v.getKey()) >= v.getValue());
        return chase.versions.isEmpty();
    }

    /**
     * Runs a step of {@code sender}'s chase; if it fails (the version vector could not be read, say), the chase
     * ends, so that the sender's next gap starts a new one instead of joining one that no longer runs.
     */
    private void guarded(PeerId sender, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            synchronized (chases) {
                chases.remove(sender);
            }
            log.warn("chasing entries gossiped by {} failed: {}; its next gap starts again", sender, e.toString());
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** The entry's origin as a peer to sync with, if it is a paired device with a way to reach it. */
    private Optional<Peer> originPeer(String origin) {
        try {
            return targets.apply(PeerId.parse(origin));
        } catch (IllegalArgumentException notAPeerId) {
            return Optional.empty();
        }
    }
}
