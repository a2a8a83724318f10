package io.p2psync.p2p.pubsub;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A pubsub message id. With origin-stamped messages (StrictSign) it is {@code from || seqno}: the author's
 * peer id bytes followed by the 8-byte sequence number (pubsub/README.md, "Message Identification"), the same
 * as the go and js implementations compute, so IHAVE/IWANT ids agree across them.
 *
 * @param bytes the id; never empty
 */
public record MessageId(byte[] bytes) {

    public MessageId {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("a message id is not empty");
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
