package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One iterative lookup of the peers nearest to a key (kad-dht spec, "Peer routing"): starts from the nearest peers
 * of the routing table, keeps at most α queries in flight, adds the peers each answer names, and ends when the k
 * nearest peers it has heard of have all answered. It also ends, with what it has, after {@code maxQueries}
 * queries or when its time is up, so peers that answer with endless new peers cannot keep it going; and, when it
 * looks for one peer, as soon as an answer names that peer with addresses.
 */
final class Lookup {

    /**
     * @param closest the peers that answered, nearest first, at most k
     * @param found the peer looked for as an answer named it, if it did
     * @param queries the queries sent
     */
    record Result(LookupOutcome outcome, List<PeerId> closest, Optional<KadPeer> found, int queries) {
    }

    private enum State { HEARD, WAITING, ANSWERED, FAILED }

    /** Candidates kept at most, as a multiple of k; farther ones not yet asked are forgotten. */
    static final int CANDIDATES_PER_K = 8;

    private final KadKey target;
    private final PeerId wanted;
    private final PeerId self;
    private final int k;
    private final int alpha;
    private final int maxQueries;
    private final Function<PeerId, CompletableFuture<List<KadPeer>>> query;
    private final TreeMap<KadKey, PeerId> candidates;
    private final Map<PeerId, State> states = new HashMap<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private int inFlight;
    private int queries;
    private ScheduledFuture<?> timer;

    /**
     * @param wanted the peer looked for, or null for a lookup of the nearest peers only
     * @param query asks one peer for the peers nearest to the target; fails if the peer does not answer in time
     */
    Lookup(KadKey target, PeerId wanted, PeerId self, KadConfig config,
            Function<PeerId, CompletableFuture<List<KadPeer>>> query) {
        this.target = target;
        this.wanted = wanted;
        this.self = self;
        this.k = config.k();
        this.alpha = config.alpha();
        this.maxQueries = config.maxQueries();
        this.query = query;
        this.candidates = new TreeMap<>(KadKey.byDistanceTo(target));
    }

    /** Starts from {@code seeds}; the result completes when the lookup ends, never exceptionally. */
    CompletableFuture<Result> run(List<PeerId> seeds, ScheduledExecutorService timers, java.time.Duration timeout) {
        synchronized (this) {
            seeds.forEach(this::heard);
            timer = timers.schedule(() -> finish(LookupOutcome.TIMED_OUT, null), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        step();
        return result;
    }

    private void step() {
        List<PeerId> launch = new ArrayList<>();
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            boolean allAnswered = true;
            int considered = 0;
            for (PeerId p : candidates.values()) {
                State s = states.get(p);
                if (s == State.FAILED) {
                    continue;
                }
                if (considered++ >= k) {
                    break;
                }
                if (s != State.ANSWERED) {
                    allAnswered = false;
                }
                if (s == State.HEARD && inFlight < alpha && queries < maxQueries) {
                    states.put(p, State.WAITING);
                    inFlight++;
                    queries++;
                    launch.add(p);
                }
            }
            if (launch.isEmpty() && inFlight == 0) {
                boolean limited = !allAnswered && queries >= maxQueries;
                finish(limited ? LookupOutcome.QUERY_LIMIT : LookupOutcome.CONVERGED, null);
                return;
            }
        }
        for (PeerId p : launch) {
            CompletableFuture<List<KadPeer>> asked;
            try {
                asked = query.apply(p);
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            asked.whenComplete((peers, error) -> answered(p, error == null ? peers : null));
        }
    }

    private void answered(PeerId from, List<KadPeer> peers) {
        synchronized (this) {
            inFlight--;
            if (result.isDone()) {
                return;
            }
            if (peers == null) {
                states.put(from, State.FAILED);
            } else {
                states.put(from, State.ANSWERED);
                for (KadPeer p : peers.subList(0, Math.min(k, peers.size()))) {
                    if (p.id().equals(wanted) && !p.addrs().isEmpty()) {
                        finish(LookupOutcome.FOUND, p);
                        return;
                    }
                    heard(p.id());
                }
            }
        }
        step();
    }

    /** Adds a candidate not heard of before; keeps the candidate list bounded. Hold the lock. */
    private void heard(PeerId peer) {
        if (peer.equals(self) || states.containsKey(peer)) {
            return;
        }
        candidates.put(KadKey.of(peer), peer);
        states.put(peer, State.HEARD);
        while (candidates.size() > k * CANDIDATES_PER_K) {
            var farthest = candidates.lastEntry();
            if (states.get(farthest.getValue()) == State.WAITING) {
                break; // its answer is still due; the bound is soft by at most α
            }
            candidates.pollLastEntry();
        }
    }

    private synchronized void finish(LookupOutcome outcome, KadPeer found) {
        if (result.isDone()) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        List<PeerId> closest = candidates.values().stream().filter(p -> states.get(p) == State.ANSWERED).limit(k)
                .toList();
        result.complete(new Result(outcome, closest, Optional.ofNullable(found), queries));
    }
}
