package io.p2psync.p2p.identify;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import io.p2psync.p2p.yamux.YamuxFlag;
import io.p2psync.p2p.yamux.YamuxPair;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdentifyProtocolTest {

    private static final HexFormat HEX = HexFormat.of();

    private final PrivateKey clientKey = PrivateKey.generate();
    private final PrivateKey serverKey = PrivateKey.generate();
    private final byte[] listenAddr = HEX.parseHex("047f000001060fa1");
    private IdentifyInfo serverInfo = new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "p2p-sync/test",
            serverKey.publicKey(), List.of(listenAddr), null, List.of(IdentifyProtocol.PROTOCOL_ID, "/ipfs/ping/1.0.0"));
    private final List<Channel> serverStreams = new ArrayList<>();
    private YamuxPair pair;

    @AfterEach
    void tearDown() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void answersWithThisNodesInfoAndTheAskerChecksIt() {
        pair = servedBy(answering());

        CompletableFuture<IdentifyInfo> result = ask(serverKey);

        assertThat(result).isCompletedWithValue(serverInfo);
        assertThat(result.join().peerId()).isEqualTo(serverKey.peerId());
        assertThat(serverStreams.get(0).isOpen()).as("both sides half-closed, so the stream ended").isFalse();
        assertThat(pair.clientToServer).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
        assertThat(pair.serverToClient).noneMatch(f -> f.flags().contains(YamuxFlag.RST));
    }

    @Test
    void rejectsAnAnswerWhoseKeyIsNotTheConnectedPeers() {
        pair = servedBy(answering());

        CompletableFuture<IdentifyInfo> result = ask(PrivateKey.generate());

        assertThat(result.handle((info, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof IdentifyException && e.getMessage().contains("belongs to " + serverKey.peerId()));
    }

    @Test
    void rejectsAnOversizedAnswer() {
        serverInfo = new IdentifyInfo("", "", serverKey.publicKey(), List.of(), null,
                Collections.nCopies(5000, "/a/protocol/with/a/long/name/1.0.0"));
        pair = servedBy(answering());

        CompletableFuture<IdentifyInfo> result = ask(serverKey);

        assertThat(result.handle((info, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof IdentifyException && e.getMessage().contains("exceeds"));
    }

    @Test
    void failsWhenThePeerClosesWithoutAnswering() {
        pair = servedBy(stream -> P2pStream.halfClose(stream));

        CompletableFuture<IdentifyInfo> result = ask(serverKey);

        assertThat(result.handle((info, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof IdentifyException && e.getMessage().contains("without an answer"));
    }

    @Test
    void failsWhenNoAnswerComesInTime() {
        pair = servedBy(stream -> { });
        pair.client.freezeTime();

        CompletableFuture<IdentifyInfo> result = ask(serverKey);
        assertThat(result).isNotDone();
        pair.client.advanceTimeBy(IdentifyProtocol.TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        pair.pump();

        assertThat(result.handle((info, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof IdentifyException && e.getMessage().contains("within"));
    }

    @Test
    void pushDeliversThePushersInfoToTheListener() {
        List<IdentifyInfo> pushes = new ArrayList<>();
        IdentifyPushProtocol receiving = new IdentifyPushProtocol(() -> serverInfo, (peer, info) -> {
            assertThat(peer).isEqualTo(clientKey.peerId());
            pushes.add(info);
        });
        IdentifyInfo clientInfo = new IdentifyInfo("", "p2p-sync/pusher", clientKey.publicKey(), List.of(), null,
                List.of(IdentifyPushProtocol.PROTOCOL_ID));
        IdentifyPushProtocol pushing = new IdentifyPushProtocol(() -> clientInfo, (peer, info) -> {
            throw new AssertionError("the pushing side receives nothing");
        });
        pair = servedBy(stream -> receiving.initStream(new P2pStream(stream, clientKey.peerId(), IdentifyPushProtocol.PROTOCOL_ID, false)));

        Channel stream = pair.openFromClient();
        pushing.initStream(new P2pStream(stream, serverKey.peerId(), IdentifyPushProtocol.PROTOCOL_ID, true));
        pair.pump();

        assertThat(pushes).containsExactly(clientInfo);
        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void usesTheFieldNumbersOfTheSpec() throws Exception {
        IdentifyInfo info = new IdentifyInfo("v", "a", serverKey.publicKey(), List.of(listenAddr), HEX.parseHex("0401020304060001"),
                List.of("p"));

        IdentifyProto.Identify wire = info.toWire();
        byte[] bytes = wire.toByteArray();

        // field 1 (publicKey, bytes) comes first in field order: tag 0x0a, length 36
        assertThat(HEX.formatHex(bytes, 0, 2)).isEqualTo("0a24");
        assertThat(HEX.formatHex(bytes)).contains("1208" + "047f000001060fa1", "1a0170", "2208" + "0401020304060001", "2a0176", "320161");
        assertThat(IdentifyInfo.fromWire(IdentifyProto.Identify.parseFrom(bytes), serverKey.peerId())).isEqualTo(info);
    }

    @Test
    void takesTheKeyFromThePeerIdWhenTheAnswerHasNone() throws Exception {
        IdentifyProto.Identify wire = IdentifyProto.Identify.newBuilder().setAgentVersion("js").build();

        assertThat(IdentifyInfo.fromWire(wire, serverKey.peerId()).publicKey()).isEqualTo(serverKey.publicKey());
    }

    @Test
    void encodesTheObservedTcpAddressAsAMultiaddr() {
        assertThat(HEX.formatHex(ObservedAddress.of(new InetSocketAddress("127.0.0.1", 4001)))).isEqualTo("047f000001060fa1");
        assertThat(HEX.formatHex(ObservedAddress.of(new InetSocketAddress("::1", 80))))
                .isEqualTo("29" + "00000000000000000000000000000001" + "060050");
        assertThat(ObservedAddress.of((java.net.SocketAddress) null)).isEmpty();
    }

    private Consumer<Channel> answering() {
        IdentifyProtocol identify = new IdentifyProtocol(() -> serverInfo);
        return stream -> identify.initStream(new P2pStream(stream, clientKey.peerId(), IdentifyProtocol.PROTOCOL_ID, false));
    }

    private YamuxPair servedBy(Consumer<Channel> serverInit) {
        return new YamuxPair(stream -> { }, stream -> {
            serverStreams.add(stream);
            serverInit.accept(stream);
        });
    }

    private CompletableFuture<IdentifyInfo> ask(PrivateKey expectedServer) {
        IdentifyProtocol clientIdentify = new IdentifyProtocol(() -> {
            throw new AssertionError("the asking side never answers");
        });
        P2pStream stream = new P2pStream(pair.openFromClient(), expectedServer.peerId(), IdentifyProtocol.PROTOCOL_ID, true);
        clientIdentify.initStream(stream);
        CompletableFuture<IdentifyInfo> result = clientIdentify.identify(stream);
        assertThat(clientIdentify.identify(stream)).isSameAs(result);
        pair.pump();
        return result;
    }
}
