package io.p2psync.p2p.identify;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.host.P2pStream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Answers an identify stream: writes this node's message once the stream is active, then half-closes.
 * The stream ends when the peer half-closes too, or is reset after {@code linger} if it never does.
 */
final class IdentifyResponder extends ChannelInboundHandlerAdapter {

    private final IdentifyInfo info;
    private final Duration linger;
    private boolean answered;
    private ScheduledFuture<?> lingerTimer;

    IdentifyResponder(IdentifyInfo info, Duration linger) {
        this.info = info;
        this.linger = linger;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            answer(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        answer(ctx);
        ctx.fireChannelActive();
    }

    private void answer(ChannelHandlerContext ctx) {
        if (answered) {
            return;
        }
        answered = true;
        ctx.writeAndFlush(info.toWire());
        if (ctx.channel() instanceof DuplexChannel) {
            P2pStream.halfClose(ctx.channel());
            lingerTimer = ctx.executor().schedule(() -> {
                ctx.close();
            }, linger.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // The asking side sends nothing on identify; whatever it sends is dropped.
        ReferenceCountUtil.release(msg);
    }
}
