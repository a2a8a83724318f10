package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;

/**
 * A received message, or a whole RPC, that the router did not deliver, and why. Every drop is logged and
 * handed to the router's drop listener (for metrics and tests).
 *
 * @param receivedFrom the peer that sent it
 * @param topic the message's topic, or empty for an RPC dropped as a whole
 * @param reason the kind of drop
 * @param code for {@code REJECTED} and {@code IGNORED}, the validator's kind of drop
 *     ({@link MessageValidator.Validation#code()}); else empty
 * @param detail a human-readable explanation
 */
public record MessageDrop(PeerId receivedFrom, String topic, Reason reason, String code, String detail) {

    /** A drop the router decided itself, with no validator's code. */
    public MessageDrop(PeerId receivedFrom, String topic, Reason reason, String detail) {
        this(receivedFrom, topic, reason, "", detail);
    }

    public enum Reason {
        /** The sender is not a peer we may exchange data with (the peer filter said no). */
        UNAUTHORIZED_PEER,
        /** The payload exceeds {@link GossipParams#maxMessageBytes()}. */
        TOO_LARGE,
        /** A topic this node has not joined. */
        NOT_SUBSCRIBED,
        /** Missing origin stamp or signature, or a signature that does not verify (StrictSign). */
        INVALID_SIGNATURE,
        /** Seen within the seen TTL; a normal part of gossip. */
        DUPLICATE,
        /** Authored by this node and come back. */
        OWN_MESSAGE,
        /** The application's validator rejected it. */
        REJECTED,
        /** The application's validator ignored it. */
        IGNORED
    }
}
