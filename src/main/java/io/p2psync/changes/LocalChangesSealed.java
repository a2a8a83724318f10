package io.p2psync.changes;

/**
 * Published when changes made on this device were sealed into its log, inside the sealing transaction;
 * listen with {@code @TransactionalEventListener} to act once they are committed. Not published for entries
 * applied from other devices.
 *
 * @param count how many entries were sealed, at least 1
 * @param lastVersion this device's version after them
 */
public record LocalChangesSealed(int count, long lastVersion) {

    public LocalChangesSealed {
        if (count < 1 || lastVersion < count) {
            throw new IllegalArgumentException("sealed changes have a count >= 1 and a version >= count");
        }
    }
}
