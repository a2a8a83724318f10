package io.p2psync.p2p.yamux;

/** The error codes a go-away frame carries in its length field (yamux spec, "Session termination"). */
public enum YamuxGoAwayCode {
    NORMAL(0x0),
    PROTOCOL_ERROR(0x1),
    INTERNAL_ERROR(0x2);

    private final int code;

    YamuxGoAwayCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * A readable name for a received code. Unknown codes are reported, not rejected: the session is
     * ending either way.
     */
    public static String describe(long code) {
        for (YamuxGoAwayCode value : values()) {
            if (value.code == code) {
                return value.name();
            }
        }
        return "unknown(" + code + ")";
    }
}
