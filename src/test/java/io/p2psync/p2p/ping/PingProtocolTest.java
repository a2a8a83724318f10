package io.p2psync.p2p.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.yamux.YamuxFlag;
import io.p2psync.p2p.yamux.YamuxPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PingProtocolTest {

    private final PingProtocol ping = new PingProtocol();
    private final PeerId clientPeer = PrivateKey.generate().peerId();
    private final PeerId serverPeer = PrivateKey.generate().peerId();
    private final List<Channel> serverStreams = new ArrayList<>();
    private YamuxPair pair;

    @AfterEach
    void tearDown() {
        pair.close();
    }

    @Test
    void measuresTheRoundTripOfAnEchoedPayloadAgainAndAgain() {
        pair = servedBy(stream -> ping.initStream(new P2pStream(stream, clientPeer, PingProtocol.PROTOCOL_ID, false)));
        P2pStream stream = open();

        for (int i = 0; i < 3; i++) {
            CompletableFuture<Duration> rtt = ping.ping(stream);
            assertThat(rtt).isNotDone();
            pair.pump();
            assertThat(rtt.join().isNegative()).isFalse();
        }

        stream.halfClose();
        pair.pump();
        assertThat(stream.channel().isOpen()).isFalse();
        assertThat(serverStreams.get(0).isOpen()).isFalse();
        assertThat(pair.serverToClient).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
        assertThat(pair.clientToServer).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
    }

    @Test
    void refusesASecondPingWhileOneIsInFlight() {
        pair = servedBy(stream -> ping.initStream(new P2pStream(stream, clientPeer, PingProtocol.PROTOCOL_ID, false)));
        P2pStream stream = open();

        CompletableFuture<Duration> first = ping.ping(stream);
        CompletableFuture<Duration> second = ping.ping(stream);
        pair.pump();

        assertThat(first).isCompleted();
        assertThat(second.handle((d, e) -> e)).isCompletedWithValueMatching(e -> e instanceof PingException);
    }

    @Test
    void failsAndClosesTheStreamWhenTheEchoDiffers() {
        pair = servedBy(stream -> stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf echo = (ByteBuf) msg;
                echo.setByte(echo.readerIndex(), echo.getByte(echo.readerIndex()) ^ 1);
                ctx.writeAndFlush(echo);
            }
        }));
        P2pStream stream = open();

        CompletableFuture<Duration> rtt = ping.ping(stream);
        pair.pump();

        assertThat(rtt.handle((d, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof PingException && e.getMessage().contains("differs"));
        assertThat(stream.channel().isOpen()).isFalse();
    }

    @Test
    void failsWhenThePeerResetsTheStream() {
        pair = servedBy(Channel::close);
        P2pStream stream = open();

        CompletableFuture<Duration> rtt = ping.ping(stream);
        pair.pump();

        assertThat(rtt.handle((d, e) -> e)).isCompletedWithValueMatching(e -> e instanceof PingException);
    }

    private YamuxPair servedBy(Consumer<Channel> serverInit) {
        return new YamuxPair(stream -> { }, stream -> {
            serverStreams.add(stream);
            serverInit.accept(stream);
        });
    }

    private P2pStream open() {
        P2pStream stream = new P2pStream(pair.openFromClient(), serverPeer, PingProtocol.PROTOCOL_ID, true);
        ping.initStream(stream);
        return stream;
    }
}
