package io.p2psync.sync;

/**
 * A sync request this device will not serve, with what to tell the caller: an HTTP status and a problem type
 * (RFC 9457), which REST sends as a problem body and the libp2p sync protocol as a problem answer.
 *
 * @see SyncService
 */
public class SyncRefusal extends RuntimeException {

    /** The last part of the problem type's URI, under {@code AuthFailure.PROBLEM_BASE}. */
    public static final String MALFORMED_REQUEST = "malformed-request";
    public static final String TOO_MANY_ENTRIES = "too-many-entries";
    public static final String BODY_TOO_LARGE = "body-too-large";
    public static final String NOT_AUTHORIZED = "device-not-authorized";

    private final int status;
    private final String type;
    private final String title;

    public SyncRefusal(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static SyncRefusal malformed(String detail) {
        return new SyncRefusal(400, MALFORMED_REQUEST, "Malformed request", detail);
    }

    public int status() {
        return status;
    }

    /** The problem type's last path segment, e.g. {@code malformed-request}. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** What went wrong, for the caller. */
    public String detail() {
        return getMessage();
    }
}
