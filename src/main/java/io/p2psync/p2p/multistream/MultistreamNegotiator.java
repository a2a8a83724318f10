package io.p2psync.p2p.multistream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state shared by both roles: the header exchange, the timeout, and the hand-over to the agreed
 * protocol. Subclasses handle the lines that follow the header.
 */
abstract sealed class MultistreamNegotiator extends ChannelInboundHandlerAdapter
        permits MultistreamInitiator, MultistreamResponder {

    private static final Logger log = LoggerFactory.getLogger(MultistreamNegotiator.class);

    enum State { AWAIT_HEADER, NEGOTIATING, DONE }

    private final ProtobufVarint32FrameDecoder frameDecoder =
            new ProtobufVarint32FrameDecoder(Multistream.MAX_MESSAGE_LENGTH);
    private final ProtobufVarint32LengthFieldPrepender framePrepender = new ProtobufVarint32LengthFieldPrepender();
    private final MultistreamCodec codec = new MultistreamCodec();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final Consumer<String> onAgreed;
    private State state = State.AWAIT_HEADER;
    private ScheduledFuture<?> timeout;
    private boolean started;

    MultistreamNegotiator(Consumer<String> onAgreed) {
        this.onAgreed = onAgreed;
    }

    final void addTo(ChannelPipeline pipeline) {
        pipeline.addLast(frameDecoder, framePrepender, codec, this);
    }

    final CompletableFuture<String> result() {
        return result;
    }

    /** Called once the handler is in the pipeline: send what this role sends first. */
    abstract void start(ChannelHandlerContext ctx);

    /** Called for each line after the peer's header. */
    abstract void onLine(ChannelHandlerContext ctx, String line);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(
                () -> fail(ctx, "no agreement within " + Multistream.NEGOTIATION_TIMEOUT),
                Multistream.NEGOTIATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (ctx.channel().isActive()) {
            startOnce(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startOnce(ctx);
        ctx.fireChannelActive();
    }

    private void startOnce(ChannelHandlerContext ctx) {
        if (!started) {
            started = true;
            start(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof String line)) {
                throw new IllegalStateException("unexpected " + msg.getClass().getSimpleName());
            }
            switch (state) {
                case AWAIT_HEADER -> {
                    if (!line.equals(Multistream.PROTOCOL_ID)) {
                        fail(ctx, "expected header " + Multistream.PROTOCOL_ID + ", got '" + abbreviate(line) + "'");
                        return;
                    }
                    state = State.NEGOTIATING;
                }
                case NEGOTIATING -> onLine(ctx, line);
                case DONE -> throw new IllegalStateException("negotiation already done");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Hands the channel over to {@code protocol}: see {@link Multistream} for the order of events. */
    final void agree(ChannelHandlerContext ctx, String protocol) {
        state = State.DONE;
        timeout.cancel(false);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(codec);
        pipeline.remove(framePrepender);
        pipeline.remove(this);
        try {
            onAgreed.accept(protocol);
        } catch (RuntimeException e) {
            log.warn("setting up {} on {} failed", protocol, ctx.channel(), e);
            pipeline.remove(frameDecoder);
            result.completeExceptionally(e);
            ctx.channel().close();
            return;
        }
        // Removing the decoder last passes bytes that followed the final message on to the new handlers.
        pipeline.remove(frameDecoder);
        result.complete(protocol);
    }

    /** Logs the reason, closes the channel and fails the negotiation. */
    final void fail(ChannelHandlerContext ctx, String reason) {
        fail(ctx, reason, true);
    }

    /** @param peerAtFault false when the peer did nothing wrong (it just lacks a protocol): logged quietly */
    final void fail(ChannelHandlerContext ctx, String reason, boolean peerAtFault) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (peerAtFault) {
            log.info("multistream negotiation on {} failed: {}", ctx.channel(), reason);
        } else {
            log.debug("multistream negotiation on {} failed: {}", ctx.channel(), reason);
        }
        result.completeExceptionally(new MultistreamException(reason));
        ctx.channel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, "bad input: " + cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "closed during negotiation");
        ctx.fireChannelInactive();
    }

    static String abbreviate(String line) {
        return line.length() <= 64 ? line : line.substring(0, 64) + "…";
    }
}
