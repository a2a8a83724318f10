package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.MessageDrop.Reason;
import io.p2psync.p2p.pubsub.MessageValidator.Validation;
import java.util.Optional;

/**
 * Decides whether a received message is delivered and forwarded, in this order: joined topic, size,
 * StrictSign origin stamp, duplicate (seen cache), own message, signature, then the application's validator.
 * The cheap checks come first; a message is marked seen only once its signature verifies, so a forgery that
 * reuses a genuine message's id cannot get the genuine one dropped as a duplicate. Not thread-safe: the router
 * guards it.
 */
final class MessageGate {

    /**
     * @param id       the message id, or null if the message has no origin stamp
     * @param drop     why the message is dropped, or null if it is accepted
     * @param delivery for an accepted message: hands it to the topic's listener with what the validator made
     *                 of it (run by the router outside its lock); null for a dropped one
     */
    record Verdict(MessageId id, MessageDrop drop, Runnable delivery) {
        boolean accepted() {
            return drop == null;
        }
    }

    private final PeerId self;
    private final int maxMessageBytes;
    private final SeenCache seen;
    private final MessageIdFunction idFunction;

    MessageGate(PeerId self, int maxMessageBytes, SeenCache seen, MessageIdFunction idFunction) {
        this.self = self;
        this.maxMessageBytes = maxMessageBytes;
        this.seen = seen;
        this.idFunction = idFunction;
    }

    /**
     * @param validator the topic's validator, or empty if this node has not joined the topic
     * @param listener  the topic's listener
     */
    <T> Verdict check(PeerId receivedFrom, PubsubMessage m, Optional<MessageValidator<T>> validator,
            MessageListener<T> listener) {
        if (validator.isEmpty()) {
            return drop(receivedFrom, m, null, Reason.NOT_SUBSCRIBED, "topic not joined");
        }
        if (m.size() > maxMessageBytes) {
            return drop(receivedFrom, m, null, Reason.TOO_LARGE,
                    m.size() + " bytes of data exceed the limit of " + maxMessageBytes);
        }
        if (m.from() == null || m.seqno() == null) {
            return drop(receivedFrom, m, null, Reason.INVALID_SIGNATURE,
                    MessageSigner.violation(m).orElse("not origin-stamped"));
        }
        MessageId id = idFunction.apply(m);
        if (seen.contains(id)) {
            return drop(receivedFrom, m, id, Reason.DUPLICATE, "seen " + id);
        }
        if (self.equals(m.from())) {
            return drop(receivedFrom, m, id, Reason.OWN_MESSAGE, "published by this node");
        }
        Optional<String> violation = MessageSigner.violation(m);
        if (violation.isPresent()) {
            return drop(receivedFrom, m, id, Reason.INVALID_SIGNATURE, violation.get());
        }
        seen.add(id);
        Validation<T> validation;
        try {
            validation = validator.get().validate(receivedFrom, m);
        } catch (RuntimeException e) {
            validation = Validation.ignore("validator-failed", e.toString());
        }
        T accepted = validation.accepted();
        return switch (validation.outcome()) {
            case ACCEPT -> new Verdict(id, null, () -> listener.deliver(m, accepted));
            case REJECT -> validatorDrop(receivedFrom, m, id, Reason.REJECTED, validation);
            case IGNORE -> validatorDrop(receivedFrom, m, id, Reason.IGNORED, validation);
        };
    }

    private static Verdict validatorDrop(PeerId receivedFrom, PubsubMessage m, MessageId id, Reason reason,
            Validation<?> validation) {
        return new Verdict(id, new MessageDrop(receivedFrom, m.topic(), reason, validation.code(), validation.reason()),
                null);
    }

    private static Verdict drop(PeerId receivedFrom, PubsubMessage m, MessageId id, Reason reason, String detail) {
        return new Verdict(id, new MessageDrop(receivedFrom, m.topic(), reason, detail), null);
    }
}
