package io.p2psync.p2p.yamux;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** The yamux header flags with their bits (yamux spec, "Flag Field"). */
public enum YamuxFlag {
    /** Opens a stream; on a ping, marks the request. */
    SYN(0x1),
    /** Accepts a stream; on a ping, marks the response. */
    ACK(0x2),
    /** Half-closes a stream: the sender will send no more data. */
    FIN(0x4),
    /** Resets a stream at once. */
    RST(0x8);

    private static final int KNOWN_BITS = 0xf;

    private final int bit;

    YamuxFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /**
     * The flags set in a 16-bit header field.
     *
     * @return an unmodifiable set, empty when no bit is set
     * @throws YamuxProtocolException if a bit the spec does not define is set
     */
    public static Set<YamuxFlag> fromBits(int bits) {
        if ((bits & ~KNOWN_BITS) != 0) {
            throw new YamuxProtocolException("unknown yamux flags 0x" + Integer.toHexString(bits));
        }
        EnumSet<YamuxFlag> flags = EnumSet.noneOf(YamuxFlag.class);
        for (YamuxFlag flag : values()) {
            if ((bits & flag.bit) != 0) {
                flags.add(flag);
            }
        }
        return Collections.unmodifiableSet(flags);
    }

    /** The 16-bit header field for {@code flags}. */
    public static int toBits(Set<YamuxFlag> flags) {
        int bits = 0;
        for (YamuxFlag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }
}
