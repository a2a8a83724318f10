package io.p2psync.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.p2psync.p2p.core.VarintPrefix;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Splits a sync stream into its messages: each is an unsigned varint length, then that many bytes. A length
 * above {@code maxBytes} is refused before anything of the message is buffered ({@link TooLongFrameException}),
 * so a peer cannot make this device hold more than that; after a refusal the rest of the stream is dropped.
 */
final class SyncFrameDecoder extends ByteToMessageDecoder {

    /** A varint of a length up to 2^35: more bytes than any limit here needs. */
    private static final int MAX_LENGTH_BYTES = 5;

    private final long maxBytes;
    private final LongPredicate admit;
    /** Set once a message was refused: what follows it cannot be framed, and is dropped. */
    private boolean failed;
    /** Whether the message being read was admitted already. */
    private boolean admitted;

    /** A decoder that takes every message up to {@code maxBytes}. */
    SyncFrameDecoder(long maxBytes) {
        this(maxBytes, length -> true);
    }

    /**
     * @param admit asked for each message's length before it is buffered; false refuses it with
     *     {@link NotAdmittedException} (e.g. when the node holds as many request bytes as it allows)
     */
    SyncFrameDecoder(long maxBytes, LongPredicate admit) {
        this.maxBytes = maxBytes;
        this.admit = admit;
    }

    /** A message that fits the limit but was not admitted now. */
    static final class NotAdmittedException extends DecoderException {
        NotAdmittedException(long length) {
            super("a message of " + length + " bytes does not fit now");
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.markReaderIndex();
        long length;
        try {
            length = VarintPrefix.read(in, MAX_LENGTH_BYTES);
        } catch (CorruptedFrameException e) {
            failed = true;
            throw e;
        }
        if (length < 0) {
            return; // the length is not all here yet
        }
        if (length > maxBytes) {
            failed = true;
            throw new TooLongFrameException("a message of " + length + " bytes, more than the " + maxBytes + " allowed");
        }
        if (!admitted) {
            if (!admit.test(length)) {
                failed = true;
                throw new NotAdmittedException(length);
            }
            admitted = true; // asked once per message, however many reads it takes to arrive
        }
        if (in.readableBytes() < length) {
            in.resetReaderIndex();
            return;
        }
        admitted = false;
        out.add(in.readRetainedSlice((int) length));
    }
}
