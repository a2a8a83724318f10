package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;

/**
 * The application's check of a received message, run after the router's own checks (size, StrictSign,
 * duplicates) and before the message is delivered or forwarded: the extended validator of gossipsub-v1.1.md.
 * Called with the router's lock held, so it should be quick and must not call back into the router.
 *
 * <p>An accepting verdict carries what the check made of the message (a decoded payload, say), and the router
 * hands exactly that to the topic's {@link MessageListener} with the message: the decision travels in the
 * return value, not through state shared by the two hooks.
 *
 * @param <T> what an accepted message is delivered as
 */
@FunctionalInterface
public interface MessageValidator<T> {

    /** Accepts every message and delivers the message itself. */
    MessageValidator<PubsubMessage> ACCEPT_ALL = (receivedFrom, message) -> Validation.accept(message);

    /**
     * @param receivedFrom the peer that sent the message to us, not necessarily its author
     * @param message a message whose signature has verified
     */
    Validation<T> validate(PeerId receivedFrom, PubsubMessage message);

    /**
     * A verdict: ACCEPT delivers and forwards; REJECT drops a message that is invalid; IGNORE drops a message
     * that is not wanted here (e.g. from a device that is not authorized) without calling it invalid.
     *
     * @param outcome  the decision
     * @param code     the kind of drop, a short stable word (e.g. {@code rate-limited}); the router's log groups
     *                 drops of one peer by it, so it must not vary per message; empty for ACCEPT or when not given
     * @param reason   why, for the log; empty for ACCEPT
     * @param accepted what the message is delivered as; non-null exactly for ACCEPT
     * @param <T>      the type of {@code accepted}
     */
    record Validation<T>(Outcome outcome, String code, String reason, T accepted) {

        public enum Outcome { ACCEPT, REJECT, IGNORE }

        public Validation {
            if (outcome == null || code == null || reason == null) {
                throw new IllegalArgumentException("a validation needs an outcome, a code and a reason");
            }
            if ((outcome == Outcome.ACCEPT) != (accepted != null)) {
                throw new IllegalArgumentException("an accepting validation, and only one, carries what it accepted");
            }
        }

        public static <T> Validation<T> accept(T accepted) {
            return new Validation<>(Outcome.ACCEPT, "", "", accepted);
        }

        public static <T> Validation<T> reject(String reason) {
            return new Validation<>(Outcome.REJECT, "", reason, null);
        }

        /** A rejection of kind {@code code}; the reason reads {@code code: detail}. */
        public static <T> Validation<T> reject(String code, String detail) {
            return new Validation<>(Outcome.REJECT, code, code + ": " + detail, null);
        }

        public static <T> Validation<T> ignore(String reason) {
            return new Validation<>(Outcome.IGNORE, "", reason, null);
        }

        /** An ignored message of kind {@code code}; the reason reads {@code code: detail}. */
        public static <T> Validation<T> ignore(String code, String detail) {
            return new Validation<>(Outcome.IGNORE, code, code + ": " + detail, null);
        }
    }
}
