package io.p2psync.p2p.core;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * The unsigned-varint length in front of each message of a stream (the sync protocol, the DHT, circuit relay), read
 * from a Netty buffer that may hold only part of it yet.
 */
public final class VarintPrefix {

    private VarintPrefix() {
    }

    /**
     * Reads the length at {@code in}'s reader index and moves past it.
     *
     * @param maxBytes the longest prefix taken (5 bytes hold any length up to 2^35)
     * @return the length, or -1 when the buffer ends inside the prefix (then nothing is consumed)
     * @throws CorruptedFrameException if the prefix runs past {@code maxBytes} bytes
     */
    public static long read(ByteBuf in, int maxBytes) {
        int start = in.readerIndex();
        long length = 0;
        for (int i = 0; ; i++) {
            if (!in.isReadable()) {
                in.readerIndex(start);
                return -1;
            }
            if (i == maxBytes) {
                throw new CorruptedFrameException("a message length longer than " + maxBytes + " bytes");
            }
            byte b = in.readByte();
            length |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                return length;
            }
        }
    }
}
