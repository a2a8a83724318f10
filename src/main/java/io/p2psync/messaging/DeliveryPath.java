package io.p2psync.messaging;

/** The rung of the ladder a message reached its target by, shown on the message. */
public enum DeliveryPath {
    /** An open connection to the target. */
    DIRECT,
    /** The target's last known addresses ({@code sync_peer_routes}), dialled. */
    ROUTE_CACHE,
    /** Addresses a connected device answered to PEER_QUERY, dialled; {@code via} names that device. */
    PEER_QUERY,
    /** Addresses the registry answered, dialled (when a registry is configured). */
    REGISTRY,
    /** Held by another device ({@code via}) while the target was offline, and handed on when they met. */
    STORE_AND_FORWARD
}
