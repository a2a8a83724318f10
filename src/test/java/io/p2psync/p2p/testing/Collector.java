package io.p2psync.p2p.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;

/** Collects and releases every inbound byte; a stand-in for the protocol after negotiation. */
public final class Collector extends ChannelInboundHandlerAdapter {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            bytes.writeBytes(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    public synchronized byte[] bytes() {
        return bytes.toByteArray();
    }
}
