package io.p2psync.p2p.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A test protocol: the responder writes back what it reads and half-closes after the initiator. */
final class Echo implements ProtocolHandler {

    static final String PROTOCOL_ID = "/test/echo/1.0.0";

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        if (stream.initiator()) {
            return;
        }
        stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownReadComplete) {
                    P2pStream.halfClose(ctx.channel());
                }
                ctx.fireUserEventTriggered(evt);
            }
        });
    }

    /** Sends {@code data}, half-closes, and completes with what came back; fails if the stream closes first. */
    static CompletableFuture<byte[]> roundTrip(Host host, PeerId peer, byte[] data) {
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        host.newStream(peer, PROTOCOL_ID).whenComplete((stream, error) -> {
            if (error != null) {
                echoed.completeExceptionally(error);
                return;
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf buf = (ByteBuf) msg;
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    buf.release();
                    received.writeBytes(bytes);
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof ChannelInputShutdownReadComplete) {
                        echoed.complete(received.toByteArray());
                    }
                    ctx.fireUserEventTriggered(evt);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    echoed.completeExceptionally(new IllegalStateException("stream closed after "
                            + received.size() + " bytes"));
                }
            });
            stream.channel().writeAndFlush(Unpooled.wrappedBuffer(data)).addListener(f -> stream.halfClose());
        });
        return echoed;
    }
}
