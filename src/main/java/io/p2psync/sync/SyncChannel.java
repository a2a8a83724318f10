package io.p2psync.sync;

/**
 * One way to reach a peer's sync protocol for a round: REST at its url ({@code /sync/pull}, {@code /sync/push},
 * signed requests) or a stream on an open libp2p connection ({@code /p2p-sync/sync/1.0.0}, authenticated by
 * the connection). Both carry the same requests and answers; a failure is a {@link PeerException} whose status
 * is 0 when the peer could not be reached at all.
 */
public interface SyncChannel {

    /** @throws PeerException if the call fails */
    PullResponse pull(PullRequest request);

    /** @throws PeerException if the call fails */
    PushResponse push(PushRequest request);

    /** How the peer is reached, for people: {@code rest} or {@code libp2p}. */
    String via();
}
