package io.p2psync.sync;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one sync round with one peer did.
 *
 * @param peer the peer's device id
 * @param pulled entries pulled and applied here (conflicts included)
 * @param pushed entries the peer accepted from this device (conflicts included)
 * @param conflicts entries that raised a conflict, here or at the peer
 * @param rejected entries refused, here or at the peer
 * @param held entries stored but held (not applied yet), here or at the peer; a hold never stops a round
 * @param refusals the refused entries counted by reason; empty when none were refused
 * @param completed whether the round ran to its end; refusals and holds do not stop a round (the peer
 *     answered, and asking again would be refused again)
 * @param error why the round stopped early, or, for a completed round with refusals, how many were refused;
 *     null for a completed round without refusals
 * @param millis how long the round took
 * @param via how the peer was reached ({@code rest} or {@code libp2p}), or null if it could not be reached
 * @param retryAfter for a round that stopped on a refusal for now ({@link TryAgain}: the peer asked to be called
 *     again later, or this device could not apply for now), when to try again; null otherwise
 */
public record PeerSyncResult(String peer, int pulled, int pushed, int conflicts, int rejected, int held,
                             Map<RejectionReason, Integer> refusals, boolean completed, String error, long millis,
                             String via, java.time.Duration retryAfter) {

    public PeerSyncResult {
        refusals = refusals == null || refusals.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(refusals));
    }
}
