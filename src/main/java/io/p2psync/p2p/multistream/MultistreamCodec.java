package io.p2psync.p2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns one length-delimited frame into one message line and back: the text is UTF-8 and the frame
 * ends in {@code \n}, which is not part of the message. Framing itself is Netty's varint decoder and
 * prepender.
 */
final class MultistreamCodec extends MessageToMessageCodec<ByteBuf, String> {

    @Override
    protected void encode(ChannelHandlerContext ctx, String message, List<Object> out) {
        ByteBuf buf = ctx.alloc().buffer(message.length() + 1);
        ByteBufUtil.writeUtf8(buf, message);
        buf.writeByte('\n');
        out.add(buf);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        int length = frame.readableBytes();
        if (length == 0 || frame.getByte(frame.readerIndex() + length - 1) != '\n') {
            throw new CorruptedFrameException("multistream message does not end in a newline");
        }
        out.add(frame.toString(frame.readerIndex(), length - 1, StandardCharsets.UTF_8));
    }
}
