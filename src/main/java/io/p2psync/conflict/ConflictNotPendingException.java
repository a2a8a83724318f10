package io.p2psync.conflict;

/** The conflict was already resolved or ignored, so it cannot be resolved or ignored again. */
public class ConflictNotPendingException extends RuntimeException {

    private final transient Conflict conflict;

    public ConflictNotPendingException(Conflict conflict) {
        super("conflict " + conflict.id() + " is " + conflict.status().dbValue() + ", not pending");
        this.conflict = conflict;
    }

    public Conflict conflict() {
        return conflict;
    }
}
