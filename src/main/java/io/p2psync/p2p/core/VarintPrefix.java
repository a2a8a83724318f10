package io.p2psync.p2p.core;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.CompletableFuture;
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

    /**
     * Reads one whole length-prefixed message at {@code in}'s reader index and moves past it.
     *
     * @return its body, or null when the buffer does not hold all of it yet (then nothing is consumed)
     * @throws TooLongFrameException if the length is above {@code maxBody}
     * @throws CorruptedFrameException if the prefix is longer than a varint may be
     */
    public static byte[] readFrame(ByteBuf in, int maxBody) {
        int start = in.readerIndex();
        long length = read(in, UnsignedVarint.MAX_BYTES);
        if (length < 0) {
            return null;
        }
        if (length > maxBody) {
            throw new TooLongFrameException("a message of " + length + " bytes, above the limit of " + maxBody);
        }
        if (in.readableBytes() < length) {
            in.readerIndex(start);
            return null;
        }
        byte[] body = new byte[(int) length];
        in.readBytes(body);
        return body;
    }

    /** Writes {@code body} with its length in front; completes once the stream has taken it. */
    public static CompletableFuture<Void> writeFrame(Channel channel, byte[] body) {
        byte[] prefix = UnsignedVarint.encode(body.length);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        ByteBuf frame = channel.alloc().buffer(prefix.length + body.length).writeBytes(prefix).writeBytes(body);
        channel.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(f.cause());
            }
        });
        return sent;
    }
}
