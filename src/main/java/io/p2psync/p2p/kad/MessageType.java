package io.p2psync.p2p.kad;

/** The RPC types of the kad-dht spec with their wire codes. */
public enum MessageType {
    PUT_VALUE(0), GET_VALUE(1), ADD_PROVIDER(2), GET_PROVIDERS(3), FIND_NODE(4), PING(5);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws KadException for a code the spec does not define */
    public static MessageType fromCode(int code) throws KadException {
        for (MessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new KadException("unknown DHT message type " + code);
    }
}
