package io.p2psync.live;

/**
 * Why a gossip message was not applied; {@link #code()} is the {@code reason} tag of the
 * {@code p2psync.gossip.dropped} counter and the first word of the logged reason.
 */
enum DropReason {
    /** Over {@code p2psync.libp2p.max-message-size}. */
    TOO_LARGE("too-large"),
    /** Over the per-peer rate limit; the peer stays connected. */
    RATE_LIMITED("rate-limited"),
    /** The sending peer (or the author of a seed-protocol message) is not an authorized device. */
    UNAUTHORIZED("unauthorized"),
    /** Not JSON, or neither a change log entry nor a seed-protocol Put/Delete. */
    MALFORMED("malformed"),
    /** A key or value over the {@code p2psync.kv} limits. */
    LIMITS("limits"),
    /** The entry's hash does not match its content. */
    BAD_HASH("bad-hash"),
    /** The entry's prevHash is not the hash of the entry before it here. */
    BROKEN_CHAIN("broken-chain"),
    /** The entry's signature does not verify against its origin's key. */
    BAD_SIGNATURE("bad-signature"),
    /** The pubsub message itself was unsigned or badly signed (StrictSign), dropped by the router. */
    UNSIGNED_MESSAGE("unsigned-message"),
    /** The entry is ahead of what this node has of its origin; a REST catch-up fetches what is missing. */
    GAP("gap"),
    /**
     * An entry whose group continues: gossip carries only entries that end their group, which are signed;
     * the rest of a group comes over REST when its end shows a gap (sent by an older build).
     */
    GROUP_PART("group-part"),
    /** The applier refused the entry (revoked origin, untracked table, a race lost to another delivery). */
    REFUSED("refused"),
    /** The apply queue was full; a REST catch-up fetches what was dropped. */
    OVERLOADED("overloaded");

    private final String code;

    DropReason(String code) {
        this.code = code;
    }

    String code() {
        return code;
    }
}
