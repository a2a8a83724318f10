package io.p2psync.p2p.ping;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.host.P2pStream;

/**
 * Echoes each 32-byte payload as it arrives; when the pinging side half-closes, half-closes after the
 * last echo, which ends the stream.
 *
 * <p>Back-pressure: while the stream is not writable (its queued echoes are above the channel's
 * {@link io.netty.channel.WriteBufferWaterMark} high mark, because the peer does not read them) the
 * responder stops reading, which also stops returning receive window to the peer; reading resumes when the
 * stream is writable again. So a peer that sends and never reads holds at most the high mark plus one
 * receive window of this node's memory, instead of an echo queue without bound.
 */
final class PingResponder extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.writeAndFlush(msg);
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            if (ctx.channel() instanceof DuplexChannel) {
                P2pStream.halfClose(ctx.channel());
            } else {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }
}
