package io.p2psync.sync;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.p2psync.changes.RejectReason;

/**
 * Why an entry was refused, as the stable code {@link PushResponse.Rejection#reason()} carries on the wire.
 * Only entries that do not verify (or whose origin is revoked here) are refused; an entry that verifies but
 * cannot be applied is held, not refused; an entry too large to travel is counted as refused by the round that
 * could not deliver it ({@link #TOO_LARGE}). A peer's answer is read by this code only, never by its detail.
 */
public enum RejectionReason {
    BAD_HASH("bad-hash"),
    BAD_SIGNATURE("bad-signature"),
    BROKEN_CHAIN("broken-chain"),
    DIFFERENT_ENTRY("different-entry"),
    GAP("gap"),
    REVOKED_ORIGIN("revoked-origin"),
    /** A new origin past the most one device may introduce ({@code p2psync.devices.max-introduced}). */
    ORIGIN_LIMIT("origin-limit"),
    /** The origin signed two different entries with one version; refused until a person decides. */
    FORKED_ORIGIN("forked-origin"),
    EARLIER_REJECTED("earlier-entry-rejected"),
    /**
     * Larger than the maximum entry size ({@code p2psync.sync.max-entry-size}): the device that holds the entry
     * does not send it, so later entries of its origin wait behind it. Counted by the side that keeps it back
     * (pushing) or is told so in a pull answer; never sent as a push rejection.
     */
    TOO_LARGE("too-large"),
    /** A code this version does not know (a peer running a newer version sent it). */
    OTHER("other");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    /** The stable code, as sent on the wire and used as the {@code reason} tag of metrics. */
    @JsonValue
    public String code() {
        return code;
    }

    @JsonCreator
    public static RejectionReason fromCode(String code) {
        for (RejectionReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return OTHER;
    }

    /** The wire code of the applier's reason. */
    static RejectionReason of(RejectReason reason) {
        return switch (reason) {
            case BAD_HASH -> BAD_HASH;
            case BAD_SIGNATURE -> BAD_SIGNATURE;
            case BROKEN_CHAIN -> BROKEN_CHAIN;
            case DIFFERENT_ENTRY -> DIFFERENT_ENTRY;
            case OUT_OF_ORDER -> GAP;
            case EARLIER_REJECTED -> EARLIER_REJECTED;
        };
    }
}
