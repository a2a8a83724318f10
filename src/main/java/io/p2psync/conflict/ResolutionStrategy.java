package io.p2psync.conflict;

/** How a person resolves a pending conflict without writing the row by hand. */
public enum ResolutionStrategy {
    /** The row as this device held it when the conflict arose. */
    LOCAL,
    /** The row as the incoming entry had it. */
    REMOTE,
    /** The side with the later hybrid-clock timestamp (device id breaks ties). */
    TIMESTAMP,
    /**
     * Only for a key collision (two devices inserted different rows under one SQLite-assigned key): the
     * local row keeps the key and the remote row is inserted again under the next key assigned here.
     */
    KEEP_BOTH
}
