package io.p2psync.conflict;

/** No conflict has this id here. */
public class ConflictNotFoundException extends RuntimeException {

    public ConflictNotFoundException(long id) {
        super("no conflict with id " + id);
    }
}
