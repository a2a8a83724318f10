package io.p2psync.p2p.autonat;

/**
 * Turns answers into a {@link Reachability}, with a confidence so that one odd answer does not flip it. The first
 * verdict decides from {@link Reachability#UNKNOWN} (a user has few devices to ask, often one; waiting for four
 * agreeing peers, as the spec suggests for large networks, would leave most nodes UNKNOWN). Each agreeing verdict
 * raises the confidence, up to {@link #MAX_CONFIDENCE}; a contrary one lowers it, and flips the state only once it
 * is at zero. So a state confirmed a few times takes as many contrary answers in a row to flip. Answers without a
 * verdict change nothing. Thread-safe.
 */
public final class ReachabilityTracker {

    /** The most contrary verdicts it takes to flip a confirmed state, plus one. */
    public static final int MAX_CONFIDENCE = 3;

    private Reachability state = Reachability.UNKNOWN;
    private int confidence;

    /**
     * Takes one answer into account.
     *
     * @return true if the state changed
     */
    public synchronized boolean record(ProbeOutcome.Verdict verdict) {
        Reachability said = switch (verdict) {
            case REACHABLE -> Reachability.PUBLIC;
            case UNREACHABLE -> Reachability.PRIVATE;
            case NONE -> null;
        };
        if (said == null) {
            return false;
        }
        if (said == state) {
            confidence = Math.min(MAX_CONFIDENCE, confidence + 1);
            return false;
        }
        if (state != Reachability.UNKNOWN && confidence > 0) {
            confidence--;
            return false;
        }
        state = said;
        confidence = 0;
        return true;
    }

    public synchronized Reachability state() {
        return state;
    }

    /** How many contrary verdicts in a row the state withstands: 0 to {@link #MAX_CONFIDENCE}. */
    public synchronized int confidence() {
        return confidence;
    }
}
