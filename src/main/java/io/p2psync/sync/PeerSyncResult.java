package io.p2psync.sync;

/**
 * What one sync round with one peer did.
 *
 * @param peer the peer's device id
 * @param pulled entries pulled and applied here (conflicts included)
 * @param pushed entries the peer accepted from this device (conflicts included)
 * @param conflicts entries that raised a conflict, here or at the peer
 * @param rejected entries refused, here or at the peer
 * @param error why the round stopped early, or null if it completed
 * @param millis how long the round took
 */
public record PeerSyncResult(String peer, int pulled, int pushed, int conflicts, int rejected, String error,
                             long millis) {
}
