package io.p2psync.p2p.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.p2p.host.P2pStream;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the two streams of a circuit at the relay: what one side sends is written to the other, with back-pressure
 * (a side whose peer cannot take more stops reading), half-closes passed on, and the circuit's limits enforced: past
 * {@link CircuitLimit#bytes()} in one direction, or after {@link CircuitLimit#duration()}, both streams are reset
 * with a logged reason, as the spec asks.
 */
final class CircuitSplice {

    private static final Logger log = LoggerFactory.getLogger(CircuitSplice.class);

    private final Channel source;
    private final Channel target;
    private final CircuitLimit limit;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable onClose;
    private ScheduledFuture<?> timer;

    /**
     * @param source the hop stream from the peer that asked for the circuit
     * @param target the stop stream to the peer it reaches
     * @param onClose run once when the circuit ends
     */
    CircuitSplice(Channel source, Channel target, CircuitLimit limit, String name, Runnable onClose) {
        this.source = source;
        this.target = target;
        this.limit = limit;
        this.name = name;
        this.onClose = onClose;
    }

    /** Installs the forwarding on both streams; each is added on its own event loop. */
    void start() {
        source.pipeline().addLast("circuit", new Forward(target));
        target.pipeline().addLast("circuit", new Forward(source));
        if (!limit.duration().isZero()) {
            timer = source.eventLoop().schedule(() -> close("its time limit of " + limit.duration() + " is over"),
                    limit.duration().toMillis(), TimeUnit.MILLISECONDS);
        }
        source.closeFuture().addListener(f -> close(null));
        target.closeFuture().addListener(f -> close(null));
    }

    /** Resets both streams; {@code reason} is logged when the relay ends the circuit, null when a side closed. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (reason != null) {
            log.info("closing circuit {}: {}", name, reason);
        } else {
            log.debug("circuit {} ended", name);
        }
        if (timer != null) {
            timer.cancel(false);
        }
        source.close();
        target.close();
        onClose.run();
    }

    /** Forwards one side's bytes to the other. */
    private final class Forward extends ChannelInboundHandlerAdapter {

        private final Channel to;
        private long carried;

        Forward(Channel to) {
            this.to = to;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // a side whose peer cannot take more stops reading until it can
            to.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelWritabilityChanged(ChannelHandlerContext c) {
                    if (c.channel().isWritable()) {
                        ctx.channel().config().setAutoRead(true);
                    }
                    c.fireChannelWritabilityChanged();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf data)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            carried += data.readableBytes();
            if (limit.bytes() > 0 && carried > limit.bytes()) {
                data.release();
                close("more than its limit of " + limit.bytes() + " bytes in one direction");
                return;
            }
            to.writeAndFlush(data);
            if (!to.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                if (to.isWritable()) { // it drained meanwhile, on its own event loop
                    ctx.channel().config().setAutoRead(true);
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                P2pStream.halfClose(to);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("circuit {}: {}", name, cause.toString());
            close(null);
        }
    }
}
