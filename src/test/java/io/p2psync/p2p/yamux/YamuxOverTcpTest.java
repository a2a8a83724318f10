package io.p2psync.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two yamux sessions over a real TCP connection on 127.0.0.1, each on its own event loop threads. */
class YamuxOverTcpTest {

    private EventLoopGroup group;
    private Channel serverChannel;
    private final AtomicReference<YamuxHandler> serverMux = new AtomicReference<>();
    private final AtomicReference<Channel> serverConnection = new AtomicReference<>();
    private Channel client;
    private YamuxHandler clientMux;

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        YamuxHandler mux = new YamuxHandler(false, stream -> stream.pipeline().addLast(new Echo()));
                        serverMux.set(mux);
                        serverConnection.set(ch);
                        ch.pipeline().addLast(mux);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        clientMux = new YamuxHandler(true, stream -> stream.close());
        client = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(clientMux)
                .connect(serverChannel.localAddress()).sync().channel();
    }

    @AfterEach
    void close() throws Exception {
        client.close().sync();
        serverChannel.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    @Test
    void carriesAHundredConcurrentStreamsOpenedFromAnotherThread() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        List<Collector> received = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] data = new byte[1 + new Random(i).nextInt(300_000)];
            new Random(~i).nextBytes(data);
            Collector collector = new Collector();
            DuplexChannel stream = (DuplexChannel) clientMux.openStream(s -> s.pipeline().addLast(collector)).sync().getNow();
            stream.writeAndFlush(Unpooled.wrappedBuffer(data));
            stream.shutdownOutput();
            sent.add(data);
            received.add(collector);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().allMatch(Collector::ended));
        for (int i = 0; i < sent.size(); i++) {
            assertThat(received.get(i).bytes()).as("stream %d", i).isEqualTo(sent.get(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(client, clientMux::streamCount) == 0
                && onLoop(serverConnection.get(), () -> serverMux.get().streamCount()) == 0);
    }

    @Test
    void pingsOverTheConnection() throws Exception {
        assertThat(clientMux.ping().sync().getNow().isNegative()).isFalse();
    }

    private static int onLoop(Channel channel, java.util.concurrent.Callable<Integer> read) throws Exception {
        return channel.eventLoop().submit(read).get();
    }

    /** Writes back what it reads; half-closes when the other side has. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
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
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
            }
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile boolean ended;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            synchronized (bytes) {
                byte[] chunk = new byte[buf.readableBytes()];
                buf.readBytes(chunk);
                bytes.writeBytes(chunk);
            }
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ended = true;
            }
        }

        boolean ended() {
            return ended;
        }

        byte[] bytes() {
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }
    }
}
