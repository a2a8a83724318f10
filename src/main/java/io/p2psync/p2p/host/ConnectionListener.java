package io.p2psync.p2p.host;

/**
 * Told when a peer becomes reachable or unreachable. Calls come on a Netty event loop, one at a time
 * per host, in order; a listener must not block (hand long work to another executor).
 */
public interface ConnectionListener {

    /** The first secured, multiplexed connection to {@code connection.remotePeer()} is up. */
    default void connected(Connection connection) {
    }

    /** The last connection to {@code connection.remotePeer()} has closed. */
    default void disconnected(Connection connection) {
    }
}
