package io.p2psync.p2p.dcutr;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.p2psync.p2p.core.VarintPrefix;
import java.io.EOFException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code /libp2p/dcutr} stream as a sequence of {@link HolePunch} messages: each read as an unsigned-varint length
 * and at most {@link HolePunch#MAX_MESSAGE_SIZE} bytes of protobuf, each written with the same framing. A message
 * that breaks this fails every pending and later {@link #next()} with a {@link DcutrException} and closes the stream;
 * the stream's end before the message asked for fails them with an {@link EOFException}: the peer is done with this
 * stream, which breaks no rule (js-libp2p answers one exchange per stream).
 */
final class HolePunchStream extends ByteToMessageDecoder {

    /** At most this many messages are held unread: the protocol has two per direction. */
    private static final int MAX_UNREAD = 2;

    private final Channel channel;
    private final Queue<HolePunch> unread = new ArrayDeque<>();
    private final Queue<CompletableFuture<HolePunch>> waiting = new ArrayDeque<>();
    /** Written on the event loop; read from any thread by {@link #open()}. */
    private volatile Exception failure;

    private HolePunchStream(Channel channel) {
        this.channel = channel;
    }

    /** Installs the framing on {@code stream}, an open {@code /libp2p/dcutr} stream. */
    static HolePunchStream on(Channel stream) {
        HolePunchStream messages = new HolePunchStream(stream);
        stream.pipeline().addLast("dcutr", messages);
        return messages;
    }

    /**
     * The next message from the peer; fails with a {@link DcutrException} if it is malformed, with an
     * {@link EOFException} if the stream ended before it.
     */
    CompletableFuture<HolePunch> next() {
        CompletableFuture<HolePunch> result = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            if (!unread.isEmpty()) {
                result.complete(unread.poll());
            } else if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                waiting.add(result);
            }
        });
        return result;
    }

    /** Writes {@code message}; completes once it is handed to the stream. */
    CompletableFuture<Void> send(HolePunch message) {
        return VarintPrefix.writeFrame(channel, message.toWire());
    }

    Channel channel() {
        return channel;
    }

    /** True while the stream can carry another exchange: open both ways, and nothing malformed came. */
    boolean open() {
        return failure == null && channel.isActive();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failure != null) {
            in.skipBytes(in.readableBytes());
            return;
        }
        byte[] body = VarintPrefix.readFrame(in, HolePunch.MAX_MESSAGE_SIZE);
        if (body == null) {
            return;
        }
        HolePunch message = HolePunch.fromWire(body);
        CompletableFuture<HolePunch> reader = waiting.poll();
        if (reader != null) {
            reader.complete(message);
        } else if (unread.size() < MAX_UNREAD) {
            unread.add(message);
        } else {
            throw new DcutrException("more than " + MAX_UNREAD + " messages sent ahead of the exchange");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        fail(reason instanceof DcutrException d ? d : new DcutrException("malformed message: " + reason.getMessage(), reason));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(new EOFException("the stream closed before the exchange finished"));
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        super.userEventTriggered(ctx, event); // decodes what is left first
        if (event instanceof ChannelInputShutdownEvent) {
            fail(new EOFException("the peer ended the stream before the exchange finished"));
        }
    }

    private void fail(Exception reason) {
        if (failure == null) {
            failure = reason;
        }
        CompletableFuture<HolePunch> reader;
        while ((reader = waiting.poll()) != null) {
            reader.completeExceptionally(failure);
        }
    }
}
