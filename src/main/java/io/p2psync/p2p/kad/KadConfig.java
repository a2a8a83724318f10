package io.p2psync.p2p.kad;

import java.time.Duration;

/**
 * Parameters of a {@link KadDht}.
 *
 * @param protocolId the stream protocol id; {@value #DEFAULT_PROTOCOL_ID} keeps a user's devices off the public
 *     IPFS DHT ({@code /ipfs/kad/1.0.0})
 * @param mode server, client, or server when the host listens
 * @param k the bucket size and the number of closest peers a lookup settles on (the spec's replication parameter)
 * @param alpha queries a lookup keeps in flight at once
 * @param queryTimeout how long one query (dial, stream, request and answer) may take before its peer counts as
 *     failed
 * @param lookupTimeout how long a whole lookup may take; then it ends with the closest peers it has
 * @param maxQueries queries one lookup sends at most; then it ends with the closest peers it has
 * @param refreshInterval how often the routing table is refreshed (a lookup of this node and of a random key in
 *     each bucket); zero for never
 * @param recordTtl how long a stored record is kept
 * @param providerTtl how long a provider announcement is kept (the spec: 24 hours)
 * @param maxRecords records and provider keys kept at most each; the least recently used go first
 * @param maxMessageBytes the largest RPC message read or written
 */
public record KadConfig(String protocolId, KadMode mode, int k, int alpha, Duration queryTimeout, Duration lookupTimeout,
        int maxQueries, Duration refreshInterval, Duration recordTtl, Duration providerTtl, int maxRecords,
        int maxMessageBytes) {

    public static final String DEFAULT_PROTOCOL_ID = "/p2p-sync/kad/1.0.0";
    /** The public IPFS DHT's protocol id, for reference: a node using it would join that network. */
    public static final String IPFS_PROTOCOL_ID = "/ipfs/kad/1.0.0";
    public static final int DEFAULT_K = 20;
    public static final int DEFAULT_ALPHA = 3;

    public KadConfig {
        if (protocolId == null || !protocolId.startsWith("/") || protocolId.contains("\n")) {
            throw new IllegalArgumentException("a DHT protocol id starts with '/' and is one line: " + protocolId);
        }
        if (mode == null) {
            throw new IllegalArgumentException("a DHT mode is required");
        }
        if (k < 1 || k > 100 || alpha < 1 || alpha > k) {
            throw new IllegalArgumentException("k must be 1..100 and alpha 1..k");
        }
        requirePositive(queryTimeout, "query timeout");
        requirePositive(lookupTimeout, "lookup timeout");
        requirePositive(recordTtl, "record ttl");
        requirePositive(providerTtl, "provider ttl");
        if (refreshInterval == null || refreshInterval.isNegative()) {
            throw new IllegalArgumentException("the refresh interval must be zero or positive");
        }
        if (maxQueries < 1 || maxRecords < 1 || maxMessageBytes < 1024) {
            throw new IllegalArgumentException("max queries and records must be positive, max message at least 1 KiB");
        }
    }

    /** The defaults: private protocol id, auto mode, k 20, α 3, 10 s per query, 30 s and 100 queries per lookup. */
    public static KadConfig defaults() {
        return new KadConfig(DEFAULT_PROTOCOL_ID, KadMode.AUTO, DEFAULT_K, DEFAULT_ALPHA, Duration.ofSeconds(10),
                Duration.ofSeconds(30), 100, Duration.ofMinutes(10), Duration.ofHours(36), Duration.ofHours(24),
                10_000, 1024 * 1024);
    }

    public KadConfig withProtocolId(String id) {
        return new KadConfig(id, mode, k, alpha, queryTimeout, lookupTimeout, maxQueries, refreshInterval, recordTtl,
                providerTtl, maxRecords, maxMessageBytes);
    }

    public KadConfig withMode(KadMode m) {
        return new KadConfig(protocolId, m, k, alpha, queryTimeout, lookupTimeout, maxQueries, refreshInterval,
                recordTtl, providerTtl, maxRecords, maxMessageBytes);
    }

    public KadConfig withLimits(Duration query, Duration lookup, int queries) {
        return new KadConfig(protocolId, mode, k, alpha, query, lookup, queries, refreshInterval, recordTtl,
                providerTtl, maxRecords, maxMessageBytes);
    }

    public KadConfig withRefreshInterval(Duration interval) {
        return new KadConfig(protocolId, mode, k, alpha, queryTimeout, lookupTimeout, maxQueries, interval, recordTtl,
                providerTtl, maxRecords, maxMessageBytes);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the DHT " + what + " must be positive");
        }
    }
}
