package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.testing.Collector;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test protocol: the responder writes back every byte it reads and ends its side when the initiator ends
 * its own, as libp2p protocols do; {@link #echo} and {@link #roundTrip} are the initiator sides the host
 * tests use.
 */
public final class EchoHandler implements ProtocolHandler {

    private static final Duration WAIT = Duration.ofSeconds(20);

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

    /** Sends {@code data} on a new stream, half-closes, and completes with what came back once the peer's end arrives. */
    public static CompletableFuture<byte[]> roundTrip(Host host, PeerId peer, byte[] data) {
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
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    echoed.completeExceptionally(new IllegalStateException("closed after " + received.size() + " bytes"));
                }
            });
            stream.channel().writeAndFlush(Unpooled.wrappedBuffer(data)).addListener(f -> stream.halfClose());
        });
        return echoed;
    }

    /** Opens an echo stream, writes {@code data}, waits for as many bytes back and closes the stream. */
    static byte[] echo(Host dialer, PeerId peer, byte[] data) throws Exception {
        P2pStream stream = dialer.newStream(peer, PROTOCOL_ID).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(stream.protocolId()).isEqualTo(PROTOCOL_ID);
        assertThat(stream.remotePeer()).isEqualTo(peer);
        Collector collector = new Collector();
        stream.channel().pipeline().addLast(collector);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(data));
        await().atMost(WAIT).until(() -> collector.bytes().length >= data.length);
        stream.channel().close();
        return collector.bytes();
    }

    /** {@link #echo} for a lambda. */
    static byte[] echoUnchecked(Host dialer, PeerId peer, byte[] data) {
        try {
            return echo(dialer, peer, data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Echoes {@code streams} different payloads on as many streams at once and checks each comes back whole. */
    static void echoConcurrently(Host dialer, PeerId peer, int streams) throws Exception {
        List<CompletableFuture<Void>> echoes = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            byte[] data = ("stream " + i + " ").repeat(100 + i).getBytes();
            echoes.add(CompletableFuture.runAsync(() -> assertThat(echoUnchecked(dialer, peer, data)).isEqualTo(data)));
        }
        CompletableFuture.allOf(echoes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
}
