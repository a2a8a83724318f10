package io.p2psync.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits a sync stream into its messages: each is an unsigned varint length, then that many bytes. A length
 * above {@code maxBytes} is refused before anything of the message is buffered ({@link TooLongFrameException}),
 * so a peer cannot make this device hold more than that; after a refusal the rest of the stream is dropped.
 */
final class SyncFrameDecoder extends ByteToMessageDecoder {

    /** A varint of a length up to 2^35: more bytes than any limit here needs. */
    private static final int MAX_LENGTH_BYTES = 5;

    private final long maxBytes;
    /** Set once a message was refused: what follows it cannot be framed, and is dropped. */
    private boolean failed;

    SyncFrameDecoder(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.markReaderIndex();
        long length = 0;
        for (int i = 0; ; i++) {
            if (!in.isReadable()) {
                in.resetReaderIndex();
                return; // the length is not all here yet
            }
            if (i == MAX_LENGTH_BYTES) {
                failed = true;
                throw new CorruptedFrameException("a message length longer than " + MAX_LENGTH_BYTES + " bytes");
            }
            byte b = in.readByte();
            length |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                break;
            }
        }
        if (length > maxBytes) {
            failed = true;
            throw new TooLongFrameException("a message of " + length + " bytes, more than the " + maxBytes + " allowed");
        }
        if (in.readableBytes() < length) {
            in.resetReaderIndex();
            return;
        }
        out.add(in.readRetainedSlice((int) length));
    }
}
