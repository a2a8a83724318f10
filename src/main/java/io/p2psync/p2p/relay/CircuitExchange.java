package io.p2psync.p2p.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.core.VarintPrefix;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of a hop or stop exchange on a stream: reads unsigned-varint-length-prefixed messages of at most
 * {@link CircuitRelay#MAX_MESSAGE_SIZE} bytes, hands each to {@link #onMessage}, and writes messages with the same
 * framing. When the exchange turns the stream into a circuit, {@link #handOver} removes this handler; bytes the peer
 * sent after the last message are held until then and go on to the handlers added behind it. A stream that breaks the framing, or
 * does not finish within {@link CircuitRelay#HANDSHAKE_TIMEOUT}, is reset with a logged reason.
 */
abstract class CircuitExchange extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(CircuitExchange.class);

    private ScheduledFuture<?> timer;
    private boolean done;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            if (!done) {
                timedOut(ctx);
            }
        }, CircuitRelay.HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (done) {
            // held for the handlers that take the stream over (bounded by the stream's receive window); a refused
            // stream is closed right after its answer
            return;
        }
        byte[] message = VarintPrefix.readFrame(in, CircuitRelay.MAX_MESSAGE_SIZE);
        if (message == null) {
            return;
        }
        onMessage(ctx, message);
    }

    /** Handles one message; an {@link InvalidProtocolBufferException} thrown here counts as malformed input. */
    abstract void onMessage(ChannelHandlerContext ctx, byte[] message) throws InvalidProtocolBufferException;

    /** Called when the peer broke the protocol or did not finish in time; the stream is reset afterwards. */
    abstract void failed(ChannelHandlerContext ctx, String reason);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        done = true;
        Throwable reason = cause.getCause() instanceof InvalidProtocolBufferException bad ? bad : cause;
        log.info("dropping {} on {} from {}: {}", protocolName(), ctx.channel(), ctx.channel().remoteAddress(),
                reason.getMessage());
        failed(ctx, "malformed message: " + reason.getMessage());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!done) {
            done = true;
            failed(ctx, "the stream closed before the exchange finished");
        }
        super.channelInactive(ctx);
    }

    private void timedOut(ChannelHandlerContext ctx) {
        done = true;
        log.info("resetting {} on {}: not finished within {}", protocolName(), ctx.channel(),
                CircuitRelay.HANDSHAKE_TIMEOUT);
        failed(ctx, "not finished within " + CircuitRelay.HANDSHAKE_TIMEOUT);
        ctx.close();
    }

    /** Ends the exchange; bytes that arrive later are held for {@link #handOver}, or dropped with the stream. */
    final void finish() {
        done = true;
    }

    /** True once the exchange ended, by hand-over, refusal or failure. */
    final boolean isDone() {
        return done;
    }

    /**
     * Ends the exchange and leaves the stream to the handlers added after this one; bytes already received past the
     * last message are passed to them.
     */
    final void handOver(ChannelHandlerContext ctx) {
        done = true;
        ctx.pipeline().remove(this);
    }

    /** Writes and flushes {@code message} with its varint length prefix. */
    static ChannelFuture send(ChannelHandlerContext ctx, MessageLite message) {
        byte[] body = message.toByteArray();
        byte[] prefix = UnsignedVarint.encode(body.length);
        ByteBuf frame = ctx.alloc().buffer(prefix.length + body.length).writeBytes(prefix).writeBytes(body);
        return ctx.writeAndFlush(frame);
    }

    /** The protocol's name for log lines. */
    abstract String protocolName();
}
