package io.p2psync.sync;

import java.util.Locale;

/**
 * Why an entry was refused. On the wire it travels in {@link PushResponse.Rejection#reason()} as
 * {@code code: detail}; this device reads a peer's answer by that stable code only ({@link #ofWire}), never by
 * the detail.
 */
public enum RejectionReason {
    BAD_HASH("bad-hash"),
    BAD_SIGNATURE("bad-signature"),
    BROKEN_CHAIN("broken-chain"),
    GAP("gap"),
    REVOKED_ORIGIN("revoked-origin"),
    EARLIER_REJECTED("earlier-entry-rejected"),
    INVALID_DATA("invalid-data"),
    /** A code this version does not know (a peer running a newer version sent it). */
    OTHER("other");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    /** The stable code, as sent on the wire and used as the {@code reason} tag of metrics. */
    public String code() {
        return code;
    }

    /** Prefixes the applier's reason text with its code. */
    static String classify(String reason) {
        String text = reason == null ? "" : reason;
        return of(text).code + ": " + text;
    }

    /**
     * The reason of a wire rejection, by the code before its first colon.
     *
     * @param wireReason a {@link PushResponse.Rejection#reason()}; null or without a known code gives {@link #OTHER}
     */
    public static RejectionReason ofWire(String wireReason) {
        if (wireReason == null) {
            return OTHER;
        }
        int colon = wireReason.indexOf(':');
        String code = (colon < 0 ? wireReason : wireReason.substring(0, colon)).trim();
        for (RejectionReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return OTHER;
    }

    // The applier still reports its reasons as text; this is the one place that reads them (to be replaced by
    // a typed reason from the applier).
    private static RejectionReason of(String text) {
        String t = text.toLowerCase(Locale.ROOT);
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
