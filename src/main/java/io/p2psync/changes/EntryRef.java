package io.p2psync.changes;

/** Names one log entry everywhere: its origin device id and per-origin version. */
public record EntryRef(String origin, long version) {

    public EntryRef {
        if (origin == null || origin.isBlank()) {
            throw new IllegalArgumentException("origin must not be blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1");
        }
    }

    public static EntryRef of(ChangeEntry entry) {
        return new EntryRef(entry.origin(), entry.version());
    }

    @Override
    public String toString() {
        return origin + "#" + version;
    }
}
