package io.p2psync.p2p.identify;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Caps the bytes a stream may deliver, because the varint frame decoder behind it has no limit of its
 * own. Past the cap, input is dropped and an {@link IdentifyException} is fired down the pipeline.
 */
final class InboundByteLimit extends ChannelInboundHandlerAdapter {

    private final int maxBytes;
    private long seen;
    private boolean exceeded;

    InboundByteLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            seen += buf.readableBytes();
            if (exceeded || seen > maxBytes) {
                buf.release();
                if (!exceeded) {
                    exceeded = true;
                    ctx.fireExceptionCaught(new IdentifyException("identify answer exceeds " + maxBytes + " bytes"));
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
