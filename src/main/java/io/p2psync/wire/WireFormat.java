package io.p2psync.wire;

/**
 * The version of the sync wire format that REST bodies and gossip entries carry in their {@code format}
 * field. A receiver refuses any other version with a clear error (HTTP 400, or a logged drop on gossip), so
 * two releases that speak different formats fail loudly instead of misreading each other.
 */
public final class WireFormat {

    /** The format this build speaks: the entry fields of docs/protocol.md, "Entries". */
    public static final int CURRENT = 1;

    private WireFormat() {
    }

    /**
     * Checks a received format field; an absent field means {@link #CURRENT} (format 1 is the first).
     *
     * @throws UnsupportedFormatException for any other version
     */
    public static void check(Integer format) {
        if (format != null && format != CURRENT) {
            throw new UnsupportedFormatException(format);
        }
    }

    /** A body or payload in a format version this build does not speak. */
    public static final class UnsupportedFormatException extends IllegalArgumentException {

        private final int format;

        UnsupportedFormatException(int format) {
            super("wire format " + format + " is not supported; this node speaks format " + CURRENT);
            this.format = format;
        }

        public int format() {
            return format;
        }
    }
}
