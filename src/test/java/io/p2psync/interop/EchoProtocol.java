package io.p2psync.interop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@value JsPeer#ECHO}, the same test protocol {@code peer.mjs} serves: the responder writes back every
 * byte and half-closes when the initiator has; the initiator sends its data, half-closes, and collects
 * everything until the responder half-closes.
 */
public final class EchoProtocol implements ProtocolHandler {

    @Override
    public List<String> protocolIds() {
        return List.of(JsPeer.ECHO);
    }

    @Override
    public void initStream(P2pStream stream) {
        if (!stream.initiator()) {
            stream.channel().pipeline().addLast(new Responder());
        }
    }

    /**
     * Opens an echo stream to {@code peer}, sends {@code data} and half-closes.
     *
     * @return everything the peer sent back before it half-closed
     */
    public static CompletableFuture<byte[]> roundTrip(Host host, PeerId peer, byte[] data) {
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        host.newStream(peer, new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(JsPeer.ECHO);
            }

            @Override
            public void initStream(P2pStream stream) {
                stream.channel().pipeline().addLast(new Collector(echoed));
                stream.channel().writeAndFlush(Unpooled.wrappedBuffer(data))
                        .addListener(f -> stream.halfClose());
            }
        }).whenComplete((stream, error) -> {
            if (error != null) {
                echoed.completeExceptionally(error);
            }
        });
        return echoed;
    }

    private static final class Responder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                ctx.flush();
                P2pStream.halfClose(ctx.channel());
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> done;

        Collector(CompletableFuture<byte[]> done) {
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.writeBytes(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                done.complete(received.toByteArray());
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("echo stream closed before the echo ended"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
