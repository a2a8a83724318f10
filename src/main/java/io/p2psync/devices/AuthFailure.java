package io.p2psync.devices;

import java.net.URI;

/**
 * Why a {@code /sync/**} request was refused. Each reason has a stable problem type URI and title
 * (RFC 9457) that clients may match on; the detail text is for people and may change.
 */
public enum AuthFailure {
    MISSING_SIGNATURE("missing-signature", "Missing request signature"),
    MALFORMED_SIGNATURE("malformed-signature", "Malformed request signature"),
    BAD_SIGNATURE("bad-signature", "Bad request signature"),
    STALE_TIMESTAMP("stale-timestamp", "Stale request timestamp"),
    REPLAYED_NONCE("replayed-nonce", "Replayed request"),
    UNKNOWN_DEVICE("unknown-device", "Unknown device"),
    NOT_AUTHORIZED("device-not-authorized", "Device not authorized"),
    REVOKED_DEVICE("device-revoked", "Device revoked");

    /** The prefix of every problem type this project defines. */
    public static final String PROBLEM_BASE = "urn:p2psync:problem:";

    private final URI type;
    private final String title;

    AuthFailure(String slug, String title) {
        this.type = URI.create(PROBLEM_BASE + slug);
        this.title = title;
    }

    public URI type() {
        return type;
    }

    public String title() {
        return title;
    }
}
