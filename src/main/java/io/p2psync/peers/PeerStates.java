package io.p2psync.peers;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Puts together {@code GET /peers}: the peer list with each peer's rounds, breaker, lag, refusals, held entries
 * and, while a round runs, its progress.
 */
@Component
public class PeerStates {

    private final PeerDirectory directory;
    private final PeerHealth health;
    private final PeerGuards guards;
    private final CatchUpScheduler scheduler;
    private final PeerProgressRecords progress;
    private final ChangeTracker changes;
    private final RunningRounds rounds;
    private final HeldCounts held;

    PeerStates(PeerDirectory directory, PeerHealth health, PeerGuards guards, CatchUpScheduler scheduler,
               PeerProgressRecords progress, ChangeTracker changes, RunningRounds rounds,
               ObjectProvider<HeldCounts> held) {
        this.directory = directory;
        this.health = health;
        this.guards = guards;
        this.scheduler = scheduler;
        this.progress = progress;
        this.changes = changes;
        this.rounds = rounds;
        this.held = held.getIfAvailable(() -> HeldCounts.NONE);
    }

    /** Every peer, paired ones first. */
    public List<PeerState> all() {
        Map<String, PeerProgressRecords.Row> rows = progress.all();
        VersionVector mine = changes.versionVector();
        return directory.all().stream().map(peer -> state(peer, rows.get(peer.key()), mine)).toList();
    }

    private PeerState state(Peer peer, PeerProgressRecords.Row row, VersionVector mine) {
        String id = peer.deviceId() == null ? null : peer.deviceId().toString();
        if (!peer.paired()) {
            return new PeerState(peer.key(), id, peer.name(), peer.url(), peer.sources(), false, peer.online(),
                    PeerState.Status.UNPAIRED, null, null, null, 0, null, null, false, null, null, Map.of(), 0, null);
        }
        PeerHealth.Record here = health.record(peer.key());
        // After a restart this process has no rounds yet: what the last process stored stands in.
        Instant lastSuccess = here.lastSuccessAt() != null || row == null ? here.lastSuccessAt() : row.lastSuccessAt();
        boolean stored = here.lastSuccessAt() == null && here.lastErrorAt() == null && row != null;
        String lastError = stored ? row.lastError() : here.lastError();
        Instant lastErrorAt = stored ? row.lastErrorAt() : here.lastErrorAt();
        int failed = stored ? row.consecutiveFailures() : here.failedRounds();
        if (stored && row.lastSuccessAt() != null && row.lastErrorAt() != null
                && !row.lastErrorAt().isAfter(row.lastSuccessAt())) {
            lastError = null;
        }
        // During a round, what the peer holds is what the round has seen it accept; else the stored vector.
        VersionVector theirs = rounds.theirs(peer.key())
                .map(live -> row == null || row.theirVector() == null ? live : live.merge(row.theirVector()))
                .orElse(row == null ? null : row.theirVector());
        Long behind = theirs == null ? null : behind(mine, theirs, id);
        // Refusals are known for rounds of this process only (they are not stored).
        Integer refused = here.lastSuccessAt() == null ? null : here.refused();
        long heldHere = held.countDeliveredBy(id);
        CircuitBreaker.State breaker = guards.breakerState(peer.key());
        boolean running = health.isRunning(peer.key());
        Instant next = guards.retryAt(peer.key())
                .orElse(here.retryAt() != null ? here.retryAt() : scheduler.nextRoundAt());
        return new PeerState(peer.key(), id, peer.name(), peer.url(), peer.sources(), true, peer.online(),
                status(breaker, lastSuccess, lastError, behind, refused == null ? 0 : refused, heldHere),
                lastSuccess, lastError, lastErrorAt, failed, next, breaker.name(), running, behind, refused,
                here.refusals(), heldHere, rounds.progress(peer.key()).orElse(null));
    }

    /**
     * A paired peer's state in one word.
     *
     * @param behind entries it lacks, or null if no round completed
     * @param refused entries refused in the latest completed round
     * @param held entries it delivered that are held here
     */
    static PeerState.Status status(CircuitBreaker.State breaker, Instant lastSuccess, String lastError, Long behind,
                                   int refused, long held) {
        if (breaker == CircuitBreaker.State.OPEN || breaker == CircuitBreaker.State.FORCED_OPEN) {
            return PeerState.Status.UNREACHABLE;
        }
        if (breaker == CircuitBreaker.State.HALF_OPEN) {
            return PeerState.Status.PROBING;
        }
        if (lastError != null) {
            return PeerState.Status.FAILING;
        }
        if (lastSuccess == null) {
            return PeerState.Status.NEW;
        }
        if (refused > 0 || held > 0) {
            return PeerState.Status.INCOMPLETE;
        }
        return behind != null && behind > 0 ? PeerState.Status.BEHIND : PeerState.Status.IN_SYNC;
    }

    /** Entries {@code mine} has that {@code theirs} lacks: versions have no gaps, so a difference is a count. */
    static long behind(VersionVector mine, VersionVector theirs) {
        return behind(mine, theirs, null);
    }

    /**
     * Entries {@code mine} has that the peer lacks, by {@code theirs}; the peer's own entries never count: a
     * device holds every entry it made, whatever an older record of its vector says.
     *
     * @param peerId the peer's device id, or null if unknown
     */
    static long behind(VersionVector mine, VersionVector theirs, String peerId) {
        long lacking = 0;
        for (Map.Entry<String, Long> origin : mine.asMap().entrySet()) {
            if (!origin.getKey().equals(peerId)) {
                lacking += Math.max(0, origin.getValue() - theirs.get(origin.getKey()));
            }
        }
        return lacking;
    }
}
