package io.p2psync.changes;

/**
 * Why an entry was refused: it does not verify, so it is not stored and the sender must send it again (or
 * a correct one). Every later entry of the same origin in the batch is refused too
 * ({@link #EARLIER_REJECTED}): the chain cannot go on past it.
 */
public enum RejectReason implements ApplyOutcome.Reason {
    /** The log holds a different entry with the same origin and version. */
    DIFFERENT_ENTRY,
    /** Not the next version of its origin here (a gap). */
    OUT_OF_ORDER,
    /** The hash does not match the content. */
    BAD_HASH,
    /** prevHash does not match the hash of the origin's previous entry. */
    BROKEN_CHAIN,
    /** The signature does not verify against the origin's key. */
    BAD_SIGNATURE,
    /** An earlier entry of the same origin in the batch was refused. */
    EARLIER_REJECTED
}
