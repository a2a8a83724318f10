package io.p2psync.changes;

/**
 * A log entry that fails verification.
 *
 * @param id     its row id in {@code sync_log}
 * @param entry  its origin and version
 * @param reason what is wrong
 */
public record VerificationFailure(long id, EntryRef entry, String reason) {

    @Override
    public String toString() {
        return "sync_log id " + id + " (" + entry + "): " + reason;
    }
}
