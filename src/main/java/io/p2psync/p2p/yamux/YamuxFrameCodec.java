package io.p2psync.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.List;
import java.util.Set;

/**
 * Bytes to {@link YamuxFrame}s and back, and nothing else: no session state lives here.
 *
 * <p>Header layout (yamux spec, "Framing"), big-endian: version (8 bits), type (8), flags (16),
 * stream id (32), length (32). Only DATA frames are followed by {@code length} payload bytes.
 * An unknown version, type or flag, or a DATA frame longer than {@link #MAX_INBOUND_DATA_LENGTH}, raises a
 * {@link YamuxProtocolException}; after that the decoder discards all further input, because the byte
 * stream can no longer be trusted to be aligned on frames.
 */
public final class YamuxFrameCodec extends CombinedChannelDuplexHandler<YamuxFrameCodec.Decoder, YamuxFrameCodec.Encoder> {

    public static final int HEADER_LENGTH = 12;

    /**
     * The longest DATA payload accepted, in bytes. A frame can never legally exceed the receive window
     * the session grants, which is far below this; the cap only stops a bogus length from making the
     * decoder buffer without end before the session can check the window.
     */
    public static final int MAX_INBOUND_DATA_LENGTH = 16 * 1024 * 1024;

    /**
     * The longest DATA payload this side sends, in bytes. Small enough that one frame fits one Noise
     * transport message (65535 bytes including its 16-byte tag).
     */
    public static final int MAX_OUTBOUND_DATA_LENGTH = 16 * 1024;

    public YamuxFrameCodec() {
        super(new Decoder(), new Encoder());
    }

    static final class Decoder extends ByteToMessageDecoder {

        private boolean failed;

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (failed) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (in.readableBytes() < HEADER_LENGTH) {
                return;
            }
            int start = in.readerIndex();
            try {
                int version = in.getUnsignedByte(start);
                if (version != YamuxFrame.VERSION) {
                    throw new YamuxProtocolException("unsupported yamux version " + version);
                }
                YamuxType type = YamuxType.fromCode(in.getUnsignedByte(start + 1));
                Set<YamuxFlag> flags = YamuxFlag.fromBits(in.getUnsignedShort(start + 2));
                int streamId = in.getInt(start + 4);
                long length = in.getUnsignedInt(start + 8);
                if (type != YamuxType.DATA) {
                    in.skipBytes(HEADER_LENGTH);
                    out.add(new YamuxFrame(YamuxFrame.VERSION, type, flags, streamId, length, Unpooled.EMPTY_BUFFER));
                    return;
                }
                if (length > MAX_INBOUND_DATA_LENGTH) {
                    throw new YamuxProtocolException("yamux data frame of " + length + " bytes exceeds the limit of "
                            + MAX_INBOUND_DATA_LENGTH);
                }
                if (in.readableBytes() < HEADER_LENGTH + length) {
                    return;
                }
                in.skipBytes(HEADER_LENGTH);
                out.add(new YamuxFrame(YamuxFrame.VERSION, type, flags, streamId, length, in.readRetainedSlice((int) length)));
            } catch (YamuxProtocolException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
        }
    }

    static final class Encoder extends MessageToByteEncoder<YamuxFrame> {

        Encoder() {
            super(YamuxFrame.class);
        }

        @Override
        protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, YamuxFrame frame, boolean preferDirect) {
            return ctx.alloc().ioBuffer(HEADER_LENGTH + frame.payload().readableBytes());
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, YamuxFrame frame, ByteBuf out) {
            out.writeByte(frame.version());
            out.writeByte(frame.type().code());
            out.writeShort(YamuxFlag.toBits(frame.flags()));
            out.writeInt(frame.streamId());
            out.writeInt((int) frame.length());
            out.writeBytes(frame.payload(), frame.payload().readerIndex(), frame.payload().readableBytes());
        }
    }
}
