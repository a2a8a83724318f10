package io.p2psync.peers;

import io.p2psync.sync.RejectionReason;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * How the rounds with each peer went, since this process started, and which peers have a round running.
 * A peer has at most one round running; a change that arrives meanwhile asks for one more round right after
 * (so it is not left for the next interval). Thread-safe.
 */
@Component
public class PeerHealth {

    /**
     * The latest outcomes with one peer.
     *
     * @param lastSuccessAt when a round last completed, or null
     * @param lastError why the latest failed round failed, or null if the latest round succeeded or none ran
     * @param lastErrorAt when a round last failed, or null
     * @param failedRounds failed rounds in a row (0 after a success)
     * @param failingSince when the first of those failed rounds failed, or null after a success
     * @param refused entries refused in the latest completed round, here or by the peer
     * @param refusals those refused entries counted by reason; empty when none
     * @param refusingSince when the first of the completed rounds in a row that refused entries completed (failed
     *     rounds in between do not end the run), or null after a completed round that refused nothing
     * @param deferringSince when the first of the rounds in a row the peer put off ("try again later") ended, or
     *     null after a round that completed or failed
     * @param retryAt when a put-off round runs again, or null if none waits
     */
    public record Record(Instant lastSuccessAt, String lastError, Instant lastErrorAt, int failedRounds,
                         Instant failingSince, int refused, Map<RejectionReason, Integer> refusals,
                         Instant refusingSince, Instant deferringSince, Instant retryAt) {
        static final Record NONE = new Record(null, null, null, 0, null, 0, Map.of(), null, null, null);

        public Record {
            refusals = refusals == null ? Map.of() : Map.copyOf(refusals);
        }

        public Record(Instant lastSuccessAt, String lastError, Instant lastErrorAt, int failedRounds,
                      Instant failingSince, int refused, Map<RejectionReason, Integer> refusals, Instant refusingSince) {
            this(lastSuccessAt, lastError, lastErrorAt, failedRounds, failingSince, refused, refusals, refusingSince,
                    null, null);
        }
    }

    private final Map<String, Record> records = new HashMap<>();
    private final Map<String, Boolean> running = new HashMap<>();

    /**
     * Marks a round with the peer as running, unless one is.
     *
     * @param again if a round is running, whether to ask it for one more round when it is done
     * @return true if the caller should run the round
     */
    public synchronized boolean tryBegin(String peerKey, boolean again) {
        Boolean current = running.get(peerKey);
        if (current != null) {
            running.put(peerKey, current || again);
            return false;
        }
        running.put(peerKey, false);
        return true;
    }

    /**
     * Ends the running round, unless one more was asked for meanwhile.
     *
     * @return true if the caller should run one more round (it stays marked as running)
     */
    public synchronized boolean endOrContinue(String peerKey) {
        if (Boolean.TRUE.equals(running.get(peerKey))) {
            running.put(peerKey, false);
            return true;
        }
        running.remove(peerKey);
        return false;
    }

    /**
     * Forgets the asks for one more round made while the peer's round was waiting to start: the round that now
     * starts is the one they get.
     */
    public synchronized void startingNow(String peerKey) {
        if (running.containsKey(peerKey)) {
            running.put(peerKey, false);
        }
    }

    public synchronized boolean isRunning(String peerKey) {
        return running.containsKey(peerKey);
    }

    /** A round completed without refusals. */
    public synchronized void succeeded(String peerKey, Instant at) {
        succeeded(peerKey, at, new RoundOutcome(0, 0, 0, 0));
    }

    /**
     * A round completed; its refusals, if any, are kept until the next completed round. A round that refused
     * entries goes on the run of refusing rounds (or starts one), so that health can tell entries refused round
     * after round, whose origin's later changes never travel, from a refusal that the next round no longer
     * makes; a round that refused nothing ends the run.
     */
    public synchronized void succeeded(String peerKey, Instant at, RoundOutcome outcome) {
        Record before = record(peerKey);
        Instant refusingSince = outcome.rejected() == 0 ? null
                : before.refusingSince() == null ? at : before.refusingSince();
        records.put(peerKey, new Record(at, null, before.lastErrorAt(), 0, null, outcome.rejected(),
                outcome.refusals(), refusingSince));
    }

    public synchronized void failed(String peerKey, String error, Instant at) {
        Record before = record(peerKey);
        Instant since = before.failingSince() == null ? at : before.failingSince();
        records.put(peerKey, new Record(before.lastSuccessAt(), error, at, before.failedRounds() + 1, since,
                before.refused(), before.refusals(), before.refusingSince()));
    }

    /**
     * A round stopped on a refusal for now ({@link TryAgainLater}) and runs again at {@code retryAt}: shown as the
     * latest error, but the peer answered, so it ends a run of failed rounds (the peer is healthy, and changes are
     * pushed to it) and starts or goes on with a run of put-off rounds.
     *
     * @return when the run of put-off rounds began
     */
    public synchronized Instant deferred(String peerKey, String why, Instant at, Instant retryAt) {
        Record before = record(peerKey);
        Instant since = before.deferringSince() == null ? at : before.deferringSince();
        records.put(peerKey, new Record(before.lastSuccessAt(), why, at, 0, null, before.refused(), before.refusals(),
                before.refusingSince(), since, retryAt));
        return since;
    }

    public synchronized Record record(String peerKey) {
        return records.getOrDefault(peerKey, Record.NONE);
    }

    /** Whether the latest round with this peer succeeded, or none ran yet (a newly paired peer is tried at once). */
    public synchronized boolean healthy(String peerKey) {
        return Optional.ofNullable(records.get(peerKey)).map(r -> r.failedRounds() == 0).orElse(true);
    }
}
