package io.p2psync.p2p.pubsub;

/**
 * Receives the messages of a joined topic that its {@link MessageValidator} accepted, with what the validator
 * made of each. Called by the router without its lock held, in the order the messages were accepted.
 *
 * @param <T> what the topic's validator delivers accepted messages as
 */
@FunctionalInterface
public interface MessageListener<T> {

    /**
     * @param message  the message as received
     * @param accepted what the validator answered for it
     */
    void deliver(PubsubMessage message, T accepted);
}
