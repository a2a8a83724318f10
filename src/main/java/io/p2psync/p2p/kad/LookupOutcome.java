package io.p2psync.p2p.kad;

/** How a DHT lookup ended. */
public enum LookupOutcome {
    /** The k nearest peers heard of have answered, or there was nobody left to ask. */
    CONVERGED,
    /** An answer named the peer looked for, with addresses. */
    FOUND,
    /** The query limit was reached first. */
    QUERY_LIMIT,
    /** The time limit was reached first. */
    TIMED_OUT
}
