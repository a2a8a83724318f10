package io.p2psync.peers;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

/**
 * One row of {@code GET /peers}.
 *
 * @param key the device id, or the url for a peer known only by url
 * @param deviceId the device id, or null if not known
 * @param name a name for people, or null
 * @param url the REST base url
 * @param sources where the peer was learned from
 * @param paired whether this device syncs with it (an authorized device with a url)
 * @param online what Tailscale says, or null if Tailscale does not list it
 * @param status the peer's state, see {@link Status}
 * @param lastSuccessAt when a round with it last completed, or null
 * @param lastError why the latest round failed, or null if it did not
 * @param lastErrorAt when a round last failed, or null
 * @param failedRounds failed rounds in a row
 * @param nextAttemptAt when it is tried next (a waiting retry or the next scheduled round), or null if never
 * @param breaker its circuit breaker: CLOSED, OPEN or HALF_OPEN (null for peers not synced with)
 * @param syncing whether a round with it is running now
 * @param behind how many entries it lacks that this device has, by what it held at the last completed
 *     round (entries made since then included); null if no round completed
 */
public record PeerState(String key, String deviceId, String name, URI url, Set<PeerSource> sources, boolean paired,
                        Boolean online, Status status, Instant lastSuccessAt, String lastError, Instant lastErrorAt,
                        int failedRounds, Instant nextAttemptAt, String breaker, boolean syncing, Long behind) {

    /** A peer's state in one word. */
    public enum Status {
        /** Listed (configured without a device id, or seen on the tailnet) but not paired: never synced with. */
        UNPAIRED,
        /** Paired, no round has completed with it yet. */
        NEW,
        /** The latest round succeeded and it has everything this device has. */
        IN_SYNC,
        /** The latest round succeeded, but this device has entries since that it lacks; the next round sends them. */
        BEHIND,
        /** The latest round failed; it is retried with backoff, and every round. */
        FAILING,
        /** Its circuit breaker is open after repeated failures: not called until the breaker lets a trial through. */
        UNREACHABLE,
        /** The breaker lets a trial round through; success closes it, failure opens it again. */
        PROBING
    }
}
