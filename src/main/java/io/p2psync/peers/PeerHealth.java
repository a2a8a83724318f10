package io.p2psync.peers;

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
     */
    public record Record(Instant lastSuccessAt, String lastError, Instant lastErrorAt, int failedRounds) {
        static final Record NONE = new Record(null, null, null, 0);
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

    public synchronized boolean isRunning(String peerKey) {
        return running.containsKey(peerKey);
    }

    public synchronized void succeeded(String peerKey, Instant at) {
        Record before = record(peerKey);
        records.put(peerKey, new Record(at, null, before.lastErrorAt(), 0));
    }

    public synchronized void failed(String peerKey, String error, Instant at) {
        Record before = record(peerKey);
        records.put(peerKey, new Record(before.lastSuccessAt(), error, at, before.failedRounds() + 1));
    }

    public synchronized Record record(String peerKey) {
        return records.getOrDefault(peerKey, Record.NONE);
    }

    /** Whether the latest round with this peer succeeded, or none ran yet (a newly paired peer is tried at once). */
    public synchronized boolean healthy(String peerKey) {
        return Optional.ofNullable(records.get(peerKey)).map(r -> r.failedRounds() == 0).orElse(true);
    }
}
