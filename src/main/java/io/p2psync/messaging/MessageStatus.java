package io.p2psync.messaging;

/** Where a message stands, for the role this device plays in it. */
public enum MessageStatus {
    /** Origin: not yet acknowledged, not handed to any relay. */
    PENDING,
    /** Origin: handed to one or more relays (STORE_MESSAGE) for an offline target; waiting for the ACK. */
    STORED,
    /** Origin: the target's signed ACK came back. */
    DELIVERED,
    /** Origin: not delivered within the retention time; no longer tried. */
    EXPIRED,
    /** Target: stored here. */
    RECEIVED,
    /** Relay: held for its target. */
    HELD,
    /** Relay: the target acknowledged; the ACK waits to go back to the origin. */
    ACKED,
    /** Relay: the ACK went back to the origin. */
    RETURNED
}
