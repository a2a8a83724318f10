package io.p2psync.p2p.identify;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.host.P2pStream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the peer's identify answer until it half-closes the stream. Several messages are merged, as
 * the spec's message may arrive split (go-libp2p splits large ones); the result is checked against the
 * authenticated peer id.
 */
final class IdentifyReader extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(IdentifyReader.class);

    private final PeerId expectedPeer;
    private final CompletableFuture<IdentifyInfo> result;
    private final Duration timeout;
    private IdentifyProto.Identify.Builder received;
    private ScheduledFuture<?> timer;

    IdentifyReader(PeerId expectedPeer, CompletableFuture<IdentifyInfo> result, Duration timeout) {
        this.expectedPeer = expectedPeer;
        this.result = result;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> finish(ctx, true), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IdentifyProto.Identify message) {
            received = received == null ? message.toBuilder() : received.mergeFrom(message);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            finish(ctx, false);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(ctx, false);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause instanceof IdentifyException e ? e : new IdentifyException("bad identify answer: " + cause.getMessage(), cause));
    }

    private void finish(ChannelHandlerContext ctx, boolean timedOut) {
        if (result.isDone()) {
            return;
        }
        if (received == null) {
            fail(ctx, new IdentifyException(timedOut ? "no identify answer within " + timeout : "identify stream ended without an answer"));
            return;
        }
        try {
            IdentifyInfo info = IdentifyInfo.fromWire(received.build(), expectedPeer);
            cancelTimer();
            result.complete(info);
            if (!timedOut && ctx.channel() instanceof DuplexChannel) {
                P2pStream.halfClose(ctx.channel()); // the peer already half-closed, so this ends the stream cleanly
            } else {
                ctx.close();
            }
        } catch (IdentifyException e) {
            fail(ctx, e);
        }
    }

    private void fail(ChannelHandlerContext ctx, IdentifyException cause) {
        cancelTimer();
        if (result.completeExceptionally(cause)) {
            log.warn("identify from {} failed: {}", expectedPeer, cause.getMessage());
        }
        ctx.close();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
