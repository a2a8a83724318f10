package io.p2psync.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Records what a stream channel delivers: its bytes (released at once), the peer's FIN, and its end. */
public final class StreamRecorder extends ChannelInboundHandlerAdapter {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean inputShutdown;
    private boolean inactive;
    private int reads;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            reads++;
            byte[] chunk = new byte[buf.readableBytes()];
            buf.readBytes(chunk);
            bytes.writeBytes(chunk);
        } finally {
            buf.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShutdown = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        ctx.fireChannelInactive();
    }

    public byte[] bytes() {
        return bytes.toByteArray();
    }

    public String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    public boolean inputShutdown() {
        return inputShutdown;
    }

    public boolean inactive() {
        return inactive;
    }

    public int reads() {
        return reads;
    }
}
