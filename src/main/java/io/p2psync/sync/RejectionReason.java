package io.p2psync.sync;

/**
 * Stable codes for why an entry was refused, sent in {@link PushResponse.Rejection#reason()} as
 * {@code code: detail}.
 */
enum RejectionReason {
    BAD_HASH("bad-hash"),
    BAD_SIGNATURE("bad-signature"),
    BROKEN_CHAIN("broken-chain"),
    GAP("gap"),
    REVOKED_ORIGIN("revoked-origin"),
    EARLIER_REJECTED("earlier-entry-rejected"),
    INVALID_DATA("invalid-data");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    String code() {
        return code;
    }

    /** Prefixes the applier's reason text with its code. */
    static String classify(String reason) {
        String text = reason == null ? "" : reason;
        return of(text).code + ": " + text;
    }

    private static RejectionReason of(String text) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("an earlier entry")) {
            return EARLIER_REJECTED;
        }
        if (t.startsWith("hash")) {
            return BAD_HASH;
        }
        if (t.startsWith("signature")) {
            return BAD_SIGNATURE;
        }
        if (t.startsWith("prevhash") || t.startsWith("differs")) {
            return BROKEN_CHAIN;
        }
        if (t.startsWith("out of order")) {
            return GAP;
        }
        return INVALID_DATA;
    }
}
