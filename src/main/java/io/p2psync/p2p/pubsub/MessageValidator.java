package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;

/**
 * The application's check of a received message, run after the router's own checks (size, StrictSign,
 * duplicates) and before the message is delivered or forwarded: the extended validator of gossipsub-v1.1.md.
 * Called with the router's lock held, so it should be quick and must not call back into the router.
 */
@FunctionalInterface
public interface MessageValidator {

    MessageValidator ACCEPT_ALL = (receivedFrom, message) -> Validation.accept();

    /**
     * @param receivedFrom the peer that sent the message to us, not necessarily its author
     * @param message a message whose signature has verified
     */
    Validation validate(PeerId receivedFrom, PubsubMessage message);

    /**
     * A verdict: ACCEPT delivers and forwards; REJECT drops a message that is invalid; IGNORE drops a message
     * that is not wanted here (e.g. from a device that is not authorized) without calling it invalid.
     *
     * @param outcome the decision
     * @param reason why, for the log; empty for ACCEPT
     */
    record Validation(Outcome outcome, String reason) {

        public enum Outcome { ACCEPT, REJECT, IGNORE }

        public Validation {
            if (outcome == null || reason == null) {
                throw new IllegalArgumentException("a validation needs an outcome and a reason");
            }
        }

        public static Validation accept() {
            return new Validation(Outcome.ACCEPT, "");
        }

        public static Validation reject(String reason) {
            return new Validation(Outcome.REJECT, reason);
        }

        public static Validation ignore(String reason) {
            return new Validation(Outcome.IGNORE, reason);
        }
    }
}
