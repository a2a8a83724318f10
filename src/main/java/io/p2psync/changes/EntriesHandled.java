package io.p2psync.changes;

/**
 * Published by the applier in each write transaction (each part of a delivery) with how many of the entries a
 * device delivered that part handled, whatever became of them: stored, staged until their group's end,
 * held, duplicates or refused. It is how far a delivery has come, so a running round shows progress while a
 * large page is applied, also while a large group waits for its end outside the log. Listen with
 * {@code @TransactionalEventListener}: a part that rolls back handled nothing.
 *
 * @param receivedFrom device id of the device that delivered the entries
 * @param count        entries of the delivery handled by the part, at least 1
 */
public record EntriesHandled(String receivedFrom, int count) {
}
