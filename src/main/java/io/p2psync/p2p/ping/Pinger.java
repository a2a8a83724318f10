package io.p2psync.p2p.ping;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pinging side of one ping stream: one payload in flight at a time. */
final class Pinger extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Pinger.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ChannelHandlerContext ctx;
    private byte[] expected;
    private long sentNanos;
    private CompletableFuture<Duration> pending;
    private boolean ended;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends one payload; must be called on the stream's event loop. */
    CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        if (pending != null) {
            result.completeExceptionally(new PingException("a ping is already in flight on this stream"));
            return result;
        }
        if (ended || !ctx.channel().isActive()) {
            result.completeExceptionally(new PingException("the ping stream has ended"));
            return result;
        }
        expected = new byte[PingProtocol.PAYLOAD_LENGTH];
        RANDOM.nextBytes(expected);
        pending = result;
        sentNanos = System.nanoTime();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(expected.clone())).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new PingException("could not send ping: " + f.cause()));
            }
        });
        return result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf echo = (ByteBuf) msg;
        try {
            long rtt = System.nanoTime() - sentNanos;
            if (pending == null) {
                log.warn("ping: unsolicited echo on {}, closing the stream", ctx.channel());
                ctx.close();
            } else if (!ByteBufUtil.equals(echo, Unpooled.wrappedBuffer(expected))) {
                log.warn("ping: echo differs from what was sent on {}, closing the stream", ctx.channel());
                fail(new PingException("the echo differs from the payload sent"));
                ctx.close();
            } else {
                CompletableFuture<Duration> done = pending;
                pending = null;
                done.complete(Duration.ofNanos(rtt));
            }
        } finally {
            echo.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            ended = true;
            fail(new PingException("the peer closed the ping stream"));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ended = true;
        fail(new PingException("the ping stream closed"));
        ctx.fireChannelInactive();
    }

    private void fail(PingException cause) {
        if (pending != null) {
            CompletableFuture<Duration> failed = pending;
            pending = null;
            failed.completeExceptionally(cause);
        }
    }
}
