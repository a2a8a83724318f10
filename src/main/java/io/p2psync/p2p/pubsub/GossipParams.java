package io.p2psync.p2p.pubsub;

import java.time.Duration;
import java.util.Objects;

/**
 * The router's parameters, with the defaults of gossipsub-v1.0.md ("Parameters") and gossipsub-v1.1.md
 * ("Overview of New Parameters"). {@link #defaults()} is what a node runs with; tests shrink some of them.
 *
 * @param d desired mesh degree (6)
 * @param dLow below this the heartbeat grafts up to {@code d} (5)
 * @param dHigh above this the heartbeat prunes down to {@code d} (12)
 * @param dLazy least number of peers gossip goes to per topic and heartbeat (6)
 * @param gossipFactor share of the eligible peers gossip goes to, if more than {@code dLazy} (0.25)
 * @param heartbeatInterval time between heartbeats (1 s)
 * @param fanoutTtl fanout state of a topic is dropped after this long without publishing (60 s)
 * @param historyLength {@code mcache_len}: heartbeats a message stays retrievable by IWANT (5)
 * @param historyGossip {@code mcache_gossip}: heartbeats a message is advertised in IHAVE (3)
 * @param seenTtl how long a message id is remembered as seen (2 min)
 * @param pruneBackoff how long neither side of a PRUNE grafts again (1 min)
 * @param unsubscribeBackoff the backoff sent with the PRUNEs of leaving a topic (10 s)
 * @param floodPublish if true, own messages go to every peer in the topic, not only the mesh (v1.1)
 * @param maxMessageBytes the largest payload ({@code data}) accepted or published (1 MiB)
 * @param maxRpcBytes the largest RPC frame read or written; larger frames close the stream (4 MiB)
 * @param maxIHaveMessages IHAVE control messages accepted from one peer per heartbeat (10)
 * @param maxIHaveLength message ids requested by IWANT from one peer per heartbeat (5000)
 * @param gossipRetransmission times one message is sent to the same peer in answer to IWANT (3)
 * @param maxPendingRpcs RPCs queued for a peer while its outbound stream is being opened (256)
 * @param maxQueuedBytes bytes written to a peer's outbound stream and not yet sent, because the peer does not
 *     read or the connection is slow (4 MiB); an RPC that finds more queued resets the stream (see
 *     {@code OutboundStreams}), so what one peer can pin is this plus one RPC, besides what the transport took
 */
public record GossipParams(
        int d, int dLow, int dHigh, int dLazy, double gossipFactor,
        Duration heartbeatInterval, Duration fanoutTtl,
        int historyLength, int historyGossip, Duration seenTtl,
        Duration pruneBackoff, Duration unsubscribeBackoff, boolean floodPublish,
        int maxMessageBytes, int maxRpcBytes,
        int maxIHaveMessages, int maxIHaveLength, int gossipRetransmission, int maxPendingRpcs,
        int maxQueuedBytes) {

    /** Room in an RPC frame for the envelope, one message's other fields and piggybacked control. */
    static final int RPC_OVERHEAD_BYTES = 64 * 1024;

    public GossipParams {
        if (dLow < 0 || dLow > d || d > dHigh) {
            throw new IllegalArgumentException("need 0 <= D_low <= D <= D_high, got " + dLow + ", " + d + ", " + dHigh);
        }
        if (dLazy < 0 || gossipFactor < 0 || gossipFactor > 1) {
            throw new IllegalArgumentException("need D_lazy >= 0 and 0 <= gossip factor <= 1");
        }
        positive(heartbeatInterval, "heartbeat interval");
        positive(fanoutTtl, "fanout TTL");
        positive(seenTtl, "seen TTL");
        positive(pruneBackoff, "prune backoff");
        positive(unsubscribeBackoff, "unsubscribe backoff");
        if (historyGossip < 1 || historyGossip > historyLength) {
            throw new IllegalArgumentException("need 1 <= mcache_gossip <= mcache_len");
        }
        if (maxMessageBytes < 1 || maxRpcBytes < maxMessageBytes + RPC_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("the max RPC size must exceed the max message size by "
                    + RPC_OVERHEAD_BYTES + " bytes of envelope and control");
        }
        if (maxIHaveMessages < 0 || maxIHaveLength < 0 || gossipRetransmission < 1 || maxPendingRpcs < 1
                || maxQueuedBytes < 1) {
            throw new IllegalArgumentException("gossip limits must not be negative");
        }
    }

    public static GossipParams defaults() {
        return new GossipParams(6, 5, 12, 6, 0.25,
                Duration.ofSeconds(1), Duration.ofSeconds(60),
                5, 3, Duration.ofMinutes(2),
                Duration.ofMinutes(1), Duration.ofSeconds(10), true,
                1 << 20, 4 << 20,
                10, 5000, 3, 256, 4 << 20);
    }

    /** These parameters with another mesh degree triple, e.g. for a small test network. */
    public GossipParams withDegree(int d, int dLow, int dHigh, int dLazy) {
        return new GossipParams(d, dLow, dHigh, dLazy, gossipFactor, heartbeatInterval, fanoutTtl, historyLength,
                historyGossip, seenTtl, pruneBackoff, unsubscribeBackoff, floodPublish, maxMessageBytes, maxRpcBytes,
                maxIHaveMessages, maxIHaveLength, gossipRetransmission, maxPendingRpcs, maxQueuedBytes);
    }

    public GossipParams withFloodPublish(boolean floodPublish) {
        return new GossipParams(d, dLow, dHigh, dLazy, gossipFactor, heartbeatInterval, fanoutTtl, historyLength,
                historyGossip, seenTtl, pruneBackoff, unsubscribeBackoff, floodPublish, maxMessageBytes, maxRpcBytes,
                maxIHaveMessages, maxIHaveLength, gossipRetransmission, maxPendingRpcs, maxQueuedBytes);
    }

    public GossipParams withMaxMessageBytes(int maxMessageBytes) {
        return new GossipParams(d, dLow, dHigh, dLazy, gossipFactor, heartbeatInterval, fanoutTtl, historyLength,
                historyGossip, seenTtl, pruneBackoff, unsubscribeBackoff, floodPublish, maxMessageBytes, maxRpcBytes,
                maxIHaveMessages, maxIHaveLength, gossipRetransmission, maxPendingRpcs, maxQueuedBytes);
    }

    public GossipParams withMaxQueuedBytes(int maxQueuedBytes) {
        return new GossipParams(d, dLow, dHigh, dLazy, gossipFactor, heartbeatInterval, fanoutTtl, historyLength,
                historyGossip, seenTtl, pruneBackoff, unsubscribeBackoff, floodPublish, maxMessageBytes, maxRpcBytes,
                maxIHaveMessages, maxIHaveLength, gossipRetransmission, maxPendingRpcs, maxQueuedBytes);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
