package io.p2psync.changes;

import java.time.Instant;

/**
 * An entry that is stored but not applied to its row yet ({@code sync_held}).
 *
 * @param entry     which entry
 * @param table     its table
 * @param recordId  its row
 * @param reason    why it is held
 * @param detail    for people: the constraint, the missing columns; may be null
 * @param partial   true if the row took every column it has and only missing columns' values wait
 * @param heldAt    when it was first held
 * @param tries     how often it was retried since
 */
public record HeldEntry(EntryRef entry, String table, String recordId, HoldReason reason, String detail,
        boolean partial, Instant heldAt, int tries) {
}
