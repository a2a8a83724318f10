package io.p2psync.p2p.yamux;

/** The yamux frame types with their wire codes (yamux spec, "Type Field"). */
public enum YamuxType {
    /** Stream data; the length field is the payload length. */
    DATA(0x0),
    /** Grows the sender's receive window of a stream by the length field; may carry SYN/ACK/FIN/RST. */
    WINDOW_UPDATE(0x1),
    /** Session keep-alive and RTT probe; the length field is an opaque value echoed back. */
    PING(0x2),
    /** Ends the session; the length field is an error code ({@link YamuxGoAwayCode}). */
    GO_AWAY(0x3);

    private final int code;

    YamuxType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws YamuxProtocolException for a code the spec does not define */
    public static YamuxType fromCode(int code) {
        for (YamuxType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new YamuxProtocolException("unknown yamux frame type 0x" + Integer.toHexString(code));
    }
}
