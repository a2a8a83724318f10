package io.p2psync.p2p.autonat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.p2psync.p2p.core.VarintPrefix;
import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code /libp2p/autonat/1.0.0} stream, which carries one message each way: reads the peer's message as an
 * unsigned-varint length and at most {@link AutoNatMessage#MAX_MESSAGE_SIZE} bytes of protobuf, and writes this
 * side's with the same framing. {@link #received()} fails with an {@link AutoNatException} when the framing is
 * broken (the stream is closed then), with an {@link EOFException} when the stream ends first, and with a
 * {@link java.util.concurrent.TimeoutException} after the time given; bytes after the message are dropped.
 */
final class AutoNatStream extends ByteToMessageDecoder {

    private final Channel channel;
    private final CompletableFuture<byte[]> received = new CompletableFuture<>();

    private AutoNatStream(Channel channel) {
        this.channel = channel;
    }

    /** Installs the framing on {@code stream}; the peer's message must arrive within {@code timeout}. */
    static AutoNatStream on(Channel stream, Duration timeout) {
        AutoNatStream messages = new AutoNatStream(stream);
        messages.received.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        stream.pipeline().addLast("autonat", messages);
        return messages;
    }

    /** The peer's message, undecoded. */
    CompletableFuture<byte[]> received() {
        return received;
    }

    /** Writes {@code message}; completes once it is handed to the stream. */
    CompletableFuture<Void> send(AutoNatMessage message) {
        return VarintPrefix.writeFrame(channel, message.toWire());
    }

    Channel channel() {
        return channel;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (received.isDone()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        byte[] body = VarintPrefix.readFrame(in, AutoNatMessage.MAX_MESSAGE_SIZE);
        if (body == null) {
            return;
        }
        received.complete(body);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        received.completeExceptionally(new AutoNatException("malformed message: " + reason.getMessage(), reason));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        received.completeExceptionally(new EOFException("the stream closed before the message came"));
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        super.userEventTriggered(ctx, event); // decodes what is left first
        if (event instanceof ChannelInputShutdownEvent) {
            received.completeExceptionally(new EOFException("the peer ended the stream before its message"));
        }
    }
}
