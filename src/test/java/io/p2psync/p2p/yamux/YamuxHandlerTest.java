package io.p2psync.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.yamux.YamuxPair.WireFrame;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

class YamuxHandlerTest {

    private final List<Channel> clientInbound = new ArrayList<>();
    private final List<Channel> serverInbound = new ArrayList<>();
    private final Map<Channel, StreamRecorder> recorders = new HashMap<>();
    private final List<ByteBuf> written = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private boolean serverAutoRead = true;
    private YamuxPair pair;

    @BeforeEach
    void setUp() {
        pair = new YamuxPair(stream -> accept(stream, clientInbound), stream -> {
            stream.config().setAutoRead(serverAutoRead);
            accept(stream, serverInbound);
        });
        logs.start();
        ((Logger) LoggerFactory.getLogger(YamuxHandler.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(YamuxHandler.class)).detachAppender(logs);
        pair.close();
        for (ByteBuf buf : written) {
            assertThat(buf.refCnt()).as("every written buffer is released").isZero();
        }
    }

    @Test
    void opensStreamsFromEitherSideWithOddAndEvenIds() {
        Channel fromClient = pair.openFromClient();
        StreamRecorder clientSide = record(fromClient);
        fromClient.writeAndFlush(text("hello"));
        pair.pump();

        assertThat(serverInbound).hasSize(1);
        Channel atServer = serverInbound.get(0);
        assertThat(recorders.get(atServer).text()).isEqualTo("hello");
        atServer.writeAndFlush(text("world"));
        pair.pump();
        assertThat(clientSide.text()).isEqualTo("world");

        Channel fromServer = pair.openFromServer();
        fromServer.writeAndFlush(text("second"));
        pair.pump();

        assertThat(((YamuxStreamChannel) fromClient).streamId()).isEqualTo(1);
        assertThat(((YamuxStreamChannel) fromServer).streamId()).isEqualTo(2);
        assertThat(clientInbound).hasSize(1);
        assertThat(recorders.get(clientInbound.get(0)).text()).isEqualTo("second");
        assertThat(pair.clientToServer.get(0)).isEqualTo(new WireFrame(YamuxType.WINDOW_UPDATE, Set.of(YamuxFlag.SYN), 1, 0));
        assertThat(pair.serverToClient.get(0)).isEqualTo(new WireFrame(YamuxType.WINDOW_UPDATE, Set.of(YamuxFlag.ACK), 1, 0));
    }

    @Test
    void inboundStreamReceivesDataSentWithItsSyn() {
        pair.server.writeInbound(hex("00000001" + "00000001" + "00000002" + "6869"));

        assertThat(serverInbound).hasSize(1);
        assertThat(recorders.get(serverInbound.get(0)).text()).isEqualTo("hi");
    }

    @Test
    void resetsAStreamWhoseInitializerFailsAndKeepsTheSession() {
        pair = new YamuxPair(stream -> { }, stream -> {
            throw new IllegalStateException("no handler for you");
        });

        Channel stream = pair.openFromClient();
        stream.writeAndFlush(text("anyone?"));
        pair.pump();

        assertThat(pair.serverToClient).contains(new WireFrame(YamuxType.WINDOW_UPDATE, Set.of(YamuxFlag.RST), 1, 0));
        assertThat(stream.isActive()).isFalse();
        assertThat(pair.serverMux.streamCount()).isZero();
        assertThat(pair.server.isOpen()).isTrue();
        assertThat(pair.clientMux.openStream().isSuccess()).isTrue();
    }

    @Test
    void outboundInitializerSeesTheFirstByte() {
        StreamRecorder recorder = new StreamRecorder();
        pair.clientMux.openStream(stream -> stream.pipeline().addLast(recorder));
        pair.pump();
        serverInbound.get(0).writeAndFlush(text("first"));
        pair.pump();

        assertThat(recorder.text()).isEqualTo("first");
    }

    @Test
    void transfersMoreThanTheWindowWithoutLossOrReordering() {
        byte[] data = random(2 * 1024 * 1024 + 17);
        Channel stream = pair.openFromClient();

        ChannelFuture last = null;
        for (int offset = 0; offset < data.length; offset += 100_000) {
            byte[] chunk = java.util.Arrays.copyOfRange(data, offset, Math.min(data.length, offset + 100_000));
            last = stream.write(track(Unpooled.wrappedBuffer(chunk)));
        }
        stream.flush();
        pair.pump();

        assertThat(recorders.get(serverInbound.get(0)).bytes()).isEqualTo(data);
        assertThat(last.isSuccess()).isTrue();
    }

    @Test
    void neverSendsBeyondThePeersWindowAndResumesAsTheReaderReads() {
        serverAutoRead = false;
        byte[] data = random(1024 * 1024);
        Channel stream = pair.openFromClient();
        ChannelFuture write = stream.writeAndFlush(track(Unpooled.wrappedBuffer(data)));
        pair.pump();

        assertThat(dataSent(1)).isEqualTo(YamuxHandler.INITIAL_WINDOW);
        assertThat(write.isDone()).as("the write waits for window").isFalse();
        assertThat(stream.isWritable()).as("back-pressure reaches the writer").isFalse();

        Channel atServer = serverInbound.get(0);
        StreamRecorder reader = recorders.get(atServer);
        for (int reads = 0; reader.bytes().length < data.length && reads < 10_000; reads++) {
            atServer.read();
            pair.pump();
            assertThat(dataSent(1)).isLessThanOrEqualTo(YamuxHandler.INITIAL_WINDOW + windowGranted(1));
        }

        assertThat(reader.bytes()).isEqualTo(data);
        assertThat(write.isSuccess()).isTrue();
        assertThat(stream.isWritable()).isTrue();
    }

    @Test
    void holdsStreamDataWhileTheConnectionIsBackedUp() {
        Channel stream = pair.openFromClient();
        pair.pump();
        pair.client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

        ChannelFuture write = stream.writeAndFlush(text("wait for it"));
        pair.pump();
        assertThat(dataSent(1)).isZero();
        assertThat(write.isDone()).isFalse();

        pair.client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        pair.pump();

        assertThat(recorders.get(serverInbound.get(0)).text()).isEqualTo("wait for it");
        assertThat(write.isSuccess()).isTrue();
    }

    @Test
    void halfCloseLetsTheOtherSideFinishWriting() {
        DuplexChannel stream = (DuplexChannel) pair.openFromClient();
        StreamRecorder clientSide = record(stream);
        stream.writeAndFlush(text("request"));
        stream.shutdownOutput();
        pair.pump();

        DuplexChannel atServer = (DuplexChannel) serverInbound.get(0);
        StreamRecorder serverSide = recorders.get(atServer);
        assertThat(serverSide.text()).isEqualTo("request");
        assertThat(serverSide.inputShutdown()).isTrue();
        assertThat(atServer.isActive()).isTrue();
        assertThat(stream.isOutputShutdown()).isTrue();
        ChannelFuture late = stream.writeAndFlush(text("too late"));
        assertThat(late.cause()).isInstanceOf(ChannelOutputShutdownException.class);

        atServer.writeAndFlush(text("response"));
        atServer.shutdownOutput();
        pair.pump();

        assertThat(clientSide.text()).isEqualTo("response");
        assertThat(clientSide.inputShutdown()).isTrue();
        assertThat(stream.isOpen()).as("closed once both sides sent FIN").isFalse();
        assertThat(atServer.isOpen()).isFalse();
        assertThat(pair.clientToServer).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
        assertThat(pair.serverToClient).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
        assertThat(pair.clientMux.streamCount()).isZero();
        assertThat(pair.serverMux.streamCount()).isZero();
    }

    @Test
    void deliversThePeersFinOnlyAfterTheLastUnreadByte() {
        serverAutoRead = false;
        DuplexChannel stream = (DuplexChannel) pair.openFromClient();
        stream.writeAndFlush(text("abc"));
        stream.shutdownOutput();
        pair.pump();
        Channel atServer = serverInbound.get(0);
        StreamRecorder reader = recorders.get(atServer);
        assertThat(reader.inputShutdown()).isFalse();

        atServer.read();
        pair.pump();

        assertThat(reader.text()).isEqualTo("abc");
        assertThat(reader.inputShutdown()).isTrue();
    }

    @Test
    void shutDownInputDropsDataButKeepsTheWindowOpen() {
        Channel stream = pair.openFromClient();
        stream.writeAndFlush(text("first"));
        pair.pump();
        DuplexChannel atServer = (DuplexChannel) serverInbound.get(0);
        atServer.shutdownInput();

        ChannelFuture big = stream.writeAndFlush(track(Unpooled.wrappedBuffer(random(3 * YamuxHandler.INITIAL_WINDOW))));
        pair.pump();

        assertThat(big.isSuccess()).as("the window kept being credited").isTrue();
        assertThat(recorders.get(atServer).text()).isEqualTo("first");
        assertThat(atServer.isInputShutdown()).isTrue();
    }

    @Test
    void dataAfterFinIsAProtocolError() {
        pair.server.writeInbound(hex("000100050000000100000000")); // SYN|FIN
        pair.server.writeInbound(hex("00000000000000010000000141"));

        assertThat(pair.server.isOpen()).isFalse();
        assertThat(logs.list).anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("data after FIN"));
    }

    @Test
    void closingBeforeBothSidesFinishedResetsTheStream() {
        Channel stream = pair.openFromClient();
        stream.config().setAutoRead(false);
        stream.writeAndFlush(text("x"));
        pair.pump();
        Channel atServer = serverInbound.get(0);
        ChannelFuture blocked = atServer.writeAndFlush(track(Unpooled.wrappedBuffer(random(YamuxHandler.INITIAL_WINDOW * 2))));
        pair.pump();
        assertThat(blocked.isDone()).isFalse();

        stream.close();
        pair.pump();

        assertThat(pair.clientToServer).contains(new WireFrame(YamuxType.WINDOW_UPDATE, Set.of(YamuxFlag.RST), 1, 0));
        assertThat(atServer.isActive()).isFalse();
        assertThat(recorders.get(atServer).inactive()).isTrue();
        assertThat(((YamuxStreamChannel) atServer).isReset()).isTrue();
        assertThat(blocked.cause()).isInstanceOf(YamuxStreamResetException.class);
        assertThat(pair.clientMux.streamCount()).isZero();
        assertThat(pair.serverMux.streamCount()).isZero();
    }

    @Test
    void pingMeasuresTheRoundTripFromEitherSide() {
        Future<Duration> fromClient = pair.clientMux.ping();
        Future<Duration> fromServer = pair.serverMux.ping();
        assertThat(fromClient.isDone()).isFalse();

        pair.pump();

        assertThat(fromClient.getNow().isNegative()).isFalse();
        assertThat(fromServer.getNow().isNegative()).isFalse();
        assertThat(pair.clientToServer).contains(new WireFrame(YamuxType.PING, Set.of(YamuxFlag.SYN), 0, 0));
        assertThat(pair.serverToClient).contains(new WireFrame(YamuxType.PING, Set.of(YamuxFlag.ACK), 0, 0));
    }

    @Test
    void boundsUnansweredPings() {
        for (int i = 0; i < YamuxHandler.MAX_PENDING_PINGS; i++) {
            pair.clientMux.ping();
        }

        assertThat(pair.clientMux.ping().cause()).isInstanceOf(IllegalStateException.class);
        pair.pump();
        assertThat(pair.clientMux.ping().isDone()).isFalse();
    }

    @Test
    void goAwayStopsNewStreamsButLetsOpenOnesFinish() {
        Channel open = pair.openFromClient();
        pair.clientMux.goAway();
        pair.pump();

        assertThat(pair.clientToServer).contains(new WireFrame(YamuxType.GO_AWAY, Set.of(), 0, 0));
        assertThat(pair.serverMux.isRemoteGoingAway()).isTrue();
        assertThat(pair.serverMux.openStream().cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(pair.clientMux.openStream().cause()).isInstanceOf(ClosedChannelException.class);

        open.writeAndFlush(text("still here"));
        pair.pump();
        assertThat(recorders.get(serverInbound.get(0)).text()).isEqualTo("still here");
        assertThat(pair.server.isOpen()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "unknown type,          000700000000000000000000,             unknown yamux frame type 0x7",
        "unknown version,       010000000000000000000000,             unsupported yamux version 1",
        "unknown flag,          000100400000000100000000,             unknown yamux flags 0x40",
        "data on stream 0,      00000000000000000000000141,           session stream id 0",
        "ping on a stream,      000200010000000100000000,             expected the session id 0",
        "stream with our parity,000100010000000200000000,             parity",
        "duplicate SYN,         000100010000000100000000000100010000000100000000, already open",
    })
    void closesTheConnectionWithALoggedReasonOnAProtocolError(String name, String hex, String reason) {
        Channel open = pair.openFromClient();
        pair.pump();
        Channel atServer = serverInbound.get(0);
        drain(pair.server);

        ByteBuf garbage = hex(hex);
        pair.server.writeInbound(garbage);

        assertThat(pair.server.isOpen()).isFalse();
        assertThat(atServer.isActive()).isFalse();
        ByteBuf goAway = pair.server.readOutbound();
        assertThat(HexFormat.of().formatHex(io.netty.buffer.ByteBufUtil.getBytes(goAway))).isEqualTo("000300000000000000000001");
        goAway.release();
        assertThat(logs.list).anySatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("protocol error").contains(reason);
        });
        assertThat(open.isActive()).isTrue();
    }

    @Test
    void exceedingTheReceiveWindowIsAProtocolError() {
        pair.server.writeInbound(hex("000100010000000100000000"));
        ByteBuf tooMuch = Unpooled.buffer();
        tooMuch.writeBytes(HexFormat.of().parseHex("0000000000000001"));
        tooMuch.writeInt(YamuxHandler.INITIAL_WINDOW + 1);
        tooMuch.writeZero(YamuxHandler.INITIAL_WINDOW + 1);
        pair.server.writeInbound(track(tooMuch));

        assertThat(pair.server.isOpen()).isFalse();
        assertThat(logs.list).anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("receive window"));
    }

    @Test
    void dropsAFrameForAnUnknownStreamAndCarriesOn() {
        ByteBuf stray = hex("0000000000000063000000056865726f21");
        pair.server.writeInbound(stray);

        assertThat(pair.server.isOpen()).isTrue();
        assertThat((Object) pair.server.readOutbound()).isNull();
        Channel stream = pair.openFromClient();
        stream.writeAndFlush(text("fine"));
        pair.pump();
        assertThat(recorders.get(serverInbound.get(0)).text()).isEqualTo("fine");
    }

    @Test
    void refusesInboundStreamsBeyondTheLimit() {
        for (int i = 0; i <= YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS; i++) {
            ByteBuf syn = Unpooled.buffer(12).writeShort(0x0001).writeShort(0x0001).writeInt(2 * i + 1).writeInt(0);
            pair.server.writeInbound(track(syn));
        }

        assertThat(serverInbound).hasSize(YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS);
        ByteBuf last = null;
        for (Object msg; (msg = pair.server.readOutbound()) != null; ) {
            if (last != null) {
                last.release();
            }
            last = (ByteBuf) msg;
        }
        assertThat(HexFormat.of().formatHex(io.netty.buffer.ByteBufUtil.getBytes(last)))
                .isEqualTo("00010008" + String.format("%08x", 2 * YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS + 1) + "00000000");
        last.release();
        assertThat(pair.server.isOpen()).isTrue();
    }

    @Test
    void limitsStreamsThePeerHasNotAcknowledged() {
        for (int i = 0; i < YamuxHandler.MAX_ACK_BACKLOG; i++) {
            assertThat(pair.clientMux.openStream().isSuccess()).isTrue();
        }
        assertThat(pair.clientMux.openStream().cause()).isInstanceOf(IllegalStateException.class);

        pair.pump();

        assertThat(pair.clientMux.openStream().isSuccess()).isTrue();
    }

    @Test
    void losingTheConnectionEndsEveryStreamAndPendingPing() {
        Channel stream = pair.openFromClient();
        StreamRecorder recorder = record(stream);
        Future<Duration> ping = pair.clientMux.ping();

        pair.client.close();

        assertThat(stream.isActive()).isFalse();
        assertThat(recorder.inactive()).isTrue();
        assertThat(ping.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(pair.clientMux.openStream().cause()).isInstanceOf(ClosedChannelException.class);
    }

    private void accept(Channel stream, List<Channel> into) {
        into.add(stream);
        StreamRecorder recorder = new StreamRecorder();
        recorders.put(stream, recorder);
        stream.pipeline().addLast(recorder);
    }

    private StreamRecorder record(Channel stream) {
        StreamRecorder recorder = new StreamRecorder();
        recorders.put(stream, recorder);
        stream.pipeline().addLast(recorder);
        return recorder;
    }

    private long dataSent(int streamId) {
        return pair.clientToServer.stream()
                .filter(f -> f.type() == YamuxType.DATA && f.streamId() == streamId)
                .mapToLong(WireFrame::length)
                .sum();
    }

    private long windowGranted(int streamId) {
        return pair.serverToClient.stream()
                .filter(f -> f.type() == YamuxType.WINDOW_UPDATE && f.streamId() == streamId)
                .mapToLong(WireFrame::length)
                .sum();
    }

    private static void drain(io.netty.channel.embedded.EmbeddedChannel channel) {
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private ByteBuf text(String text) {
        return track(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private ByteBuf hex(String hex) {
        return track(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
    }

    private ByteBuf track(ByteBuf buf) {
        written.add(buf);
        return buf;
    }

    private static byte[] random(int length) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        return data;
    }
}
