package io.p2psync.peers;

import io.p2psync.sync.RejectionReason;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One row of {@code GET /peers}.
 *
 * @param key the device id, or the url for a peer known only by url
 * @param deviceId the device id, or null if not known
 * @param name a name for people, or null
 * @param url the REST base url; null for a device known only by id, synced over its libp2p connection
 * @param sources where the peer was learned from
 * @param paired whether this device syncs with it (an authorized device with a url, or one connected over libp2p)
 * @param online what Tailscale says, or null if Tailscale does not list it
 * @param status the peer's state, see {@link Status}
 * @param lastSuccessAt when a round with it last completed, or null
 * @param lastError why the latest round failed, or null if it did not
 * @param lastErrorAt when a round last failed, or null
 * @param failedRounds failed rounds in a row
 * @param nextAttemptAt when it is tried next (a waiting retry or the next scheduled round), or null if never
 * @param breaker its circuit breaker: CLOSED, OPEN or HALF_OPEN (null for peers not synced with)
 * @param syncing whether a round with it is running now
 * @param behind how many entries it lacks that this device has, by the latest it is known to hold: what it
 *     held at the end of the last completed round, raised by what it showed since (its pulls and pushes) and,
 *     during a round, by every push page it accepted; it always holds its own entries. Null if no round completed
 * @param refused entries refused in the latest completed round (here or by the peer); null if none completed
 * @param refusedReasons those refused entries counted by reason; empty when none
 * @param held entries this peer delivered that are stored here but held (not applicable yet)
 * @param progress how far the running round has come; null when no round runs
 */
public record PeerState(String key, String deviceId, String name, URI url, Set<PeerSource> sources, boolean paired,
                        Boolean online, Status status, Instant lastSuccessAt, String lastError, Instant lastErrorAt,
                        int failedRounds, Instant nextAttemptAt, String breaker, boolean syncing, Long behind,
                        Integer refused, Map<RejectionReason, Integer> refusedReasons, long held,
                        RoundProgress progress) {

    public PeerState {
        refusedReasons = refusedReasons == null ? Map.of() : Map.copyOf(refusedReasons);
    }

    /** A row with nothing refused or held and no round running. */
    public PeerState(String key, String deviceId, String name, URI url, Set<PeerSource> sources, boolean paired,
                     Boolean online, Status status, Instant lastSuccessAt, String lastError, Instant lastErrorAt,
                     int failedRounds, Instant nextAttemptAt, String breaker, boolean syncing, Long behind) {
        this(key, deviceId, name, url, sources, paired, online, status, lastSuccessAt, lastError, lastErrorAt,
                failedRounds, nextAttemptAt, breaker, syncing, behind, null, Map.of(), 0, null);
    }

    /** A peer's state in one word. */
    public enum Status {
        /** Listed (configured without a device id, or seen on the tailnet) but not paired: never synced with. */
        UNPAIRED,
        /** Paired, no round has completed with it yet. */
        NEW,
        /** The latest round succeeded, it has everything this device has, and nothing was refused or is held. */
        IN_SYNC,
        /** The latest round succeeded, but this device has entries since that it lacks; the next round sends them. */
        BEHIND,
        /**
         * The latest round completed, but entries were refused in it (here or by the peer) or entries it delivered
         * are held here: asking again does not help until the cause goes; see {@code refusedReasons} and
         * {@code held}.
         */
        INCOMPLETE,
        /** The latest round failed; it is retried with backoff, and every round. */
        FAILING,
        /** Its circuit breaker is open after repeated failures: not called until the breaker lets a trial through. */
        UNREACHABLE,
        /** The breaker lets a trial round through; success closes it, failure opens it again. */
        PROBING
    }
}
