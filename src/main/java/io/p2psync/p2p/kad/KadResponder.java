package io.p2psync.p2p.kad;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.P2pStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an inbound DHT stream: answers each request in turn (the spec lets a peer send several on one stream),
 * ends the stream when the peer half-closes it, and resets it on a malformed message, a request that breaks the
 * rules, or a peer that stays silent for the idle timeout.
 */
final class KadResponder extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KadResponder.class);

    private final PeerId remote;
    private final KadRequests requests;
    private final Duration idle;
    private ScheduledFuture<?> idleTimer;

    KadResponder(PeerId remote, KadRequests requests, Duration idle) {
        this.remote = remote;
        this.requests = requests;
        this.idle = idle;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        armIdleTimer(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof KadMessage request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Optional<KadMessage> answer;
        try {
            answer = requests.answer(remote, request);
        } catch (KadException e) {
            drop(ctx, e);
            return;
        }
        answer.ifPresent(ctx::writeAndFlush);
        armIdleTimer(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            cancelIdleTimer();
            P2pStream.halfClose(ctx.channel()); // after the answers written before; the stream then ends
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdleTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        drop(ctx, cause);
    }

    private void drop(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause.getCause() instanceof KadException k ? k : cause;
        log.warn("resetting DHT stream from {}: {}", remote, reason.getMessage());
        cancelIdleTimer();
        ctx.close(); // before both sides half-closed: a reset
    }

    private void armIdleTimer(ChannelHandlerContext ctx) {
        cancelIdleTimer();
        idleTimer = ctx.executor().schedule(() -> {
            log.debug("closing idle DHT stream from {}", remote);
            ctx.close();
        }, idle.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
