package io.p2psync.sync;

/**
 * What one sync round with one peer did.
 *
 * @param peer the peer's device id
 * @param pulled entries pulled and applied here (conflicts included)
 * @param pushed entries the peer accepted from this device (conflicts included)
 * @param conflicts entries that raised a conflict, here or at the peer
 * @param rejected entries refused, here or at the peer
 * @param error for people: why the round stopped early, or what was refused; null if all went well
 * @param millis how long the round took
 * @param held entries stored but held (not applied yet), here or at the peer; a hold never stops a round
 * @param failed true if the round stopped early (the peer could not be reached or answered wrongly);
 *     refusals alone do not fail a round: the peer answered, and asking again would be refused again
 */
public record PeerSyncResult(String peer, int pulled, int pushed, int conflicts, int rejected, String error,
                             long millis, int held, boolean failed) {
}
