package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.HostBuilder;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.yamux.YamuxHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * The Java host against a real js-libp2p 2.10 peer (@chainsafe/libp2p-quic 1.1.8) over QUIC on 127.0.0.1.
 * Both sides listen on TCP and QUIC; every connection here is dialled to a {@code /udp/…/quic-v1} address,
 * and each test checks on both sides that the connection it uses is a QUIC one (so TLS 1.3 with the libp2p
 * certificate and QUIC's own streams, no Noise and no yamux), then runs identify, ping, gossipsub or echo
 * streams over it. Tests that do not depend on who dialled run once with each side dialling.
 */
class JavaJsQuicIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String TOPIC = "p2p-sync";
    private static final int STREAMS = 100;
    private static final int STREAM_BYTES = 64 * 1024;
    /** The streams peer.mjs lets a remote hold open at once on one QUIC connection (its STREAM_LIMIT). */
    private static final int JS_STREAM_LIMIT = 1024;

    /** Who opens the QUIC connection. */
    enum Dialler { JAVA, JS }

    private final PrivateKey jsKey = PrivateKey.generate();
    private final PrivateKey javaKey = PrivateKey.generate();
    private JsPeer js;
    private GossipNode java;

    @BeforeEach
    void start() throws Exception {
        js = JsPeer.start(new JsPeer.Options().key(jsKey)
                .listen("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"));
        js.serveEcho();
        java = GossipNode.start(javaKey, jsKey.peerId()::equals, JavaNode.TCP_AND_QUIC);
    }

    @AfterEach
    void stop() {
        if (java != null) java.close();
        if (js != null) js.close();
    }

    @Test
    void javaDialsJsOverQuic() throws Exception {
        Connection conn = java.node().dial(js.quicAddr());

        assertThat(conn.remotePeer()).isEqualTo(js.peerId());
        assertThat(conn.transport()).isEqualTo(Connection.Transport.QUIC);
        assertThat(conn.outbound()).isTrue();
        assertThat(conn.remoteAddress().isQuic()).isTrue();
        assertThat(js.quicAddr()).startsWith(conn.remoteAddress().toString() + "/p2p/");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(js.connections(java.peerId()))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.isQuic()).as("js sees a QUIC connection: %s", c).isTrue();
                    assertThat(c.direction()).isEqualTo("inbound");
                }));
    }

    @Test
    void jsDialsJavaOverQuic() throws Exception {
        JsPeer.Dialed dialed = js.dial(java.node().quicAddr());

        assertThat(dialed.peer()).isEqualTo(java.peerId());
        assertThat(dialed.muxer()).isEqualTo("quic");
        assertThat(dialed.addr()).contains("/quic-v1");
        assertThat(dialed.addr()).startsWith(java.node().quicAddr().replace("/p2p/" + java.peerId(), ""));
        await().atMost(TIMEOUT).until(() -> java.node().host().isConnected(js.peerId()));
        Connection conn = java.node().host().connection(js.peerId()).orElseThrow();
        assertThat(conn.transport()).isEqualTo(Connection.Transport.QUIC);
        assertThat(conn.outbound()).isFalse();
        assertThat(js.connections(java.peerId())).singleElement()
                .satisfies(c -> {
                    assertThat(c.isQuic()).as("js sees a QUIC connection: %s", c).isTrue();
                    assertThat(c.direction()).isEqualTo("outbound");
                });
    }

    @ParameterizedTest
    @EnumSource(Dialler.class)
    void identifyBothWaysOverQuic(Dialler dialler) throws Exception {
        connectOverQuic(dialler);

        JsPeer.Identified javaAsJsSeesIt = js.identify(java.peerId());
        assertThat(javaAsJsSeesIt.agentVersion()).isEqualTo(JavaNode.AGENT);
        assertThat(javaAsJsSeesIt.protocolVersion()).isEqualTo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION);
        assertThat(javaAsJsSeesIt.protocols())
                .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0", JsPeer.ECHO);
        assertThat(javaAsJsSeesIt.listenAddrs()).contains(withoutPeerId(java.node().quicAddr()),
                withoutPeerId(java.node().addr()));

        IdentifyInfo jsAsJavaSeesIt = java.node().identify(js.peerId());
        assertThat(jsAsJavaSeesIt.peerId()).isEqualTo(js.peerId());
        assertThat(jsAsJavaSeesIt.agentVersion()).isEqualTo("p2p-sync-interop-js/1.0.0");
        assertThat(jsAsJavaSeesIt.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0");
        assertThat(jsAsJavaSeesIt.listenAddrs().stream()
                .map(b -> Multiaddr.fromBytes(b).withPeerId(js.peerId()).toString()))
                .contains(js.quicAddr(), js.tcpAddr());

        assertStillOneQuicConnection();
    }

    @ParameterizedTest
    @EnumSource(Dialler.class)
    void pingBothWaysOverQuic(Dialler dialler) throws Exception {
        connectOverQuic(dialler);

        assertThat(java.node().ping(js.peerId()).isNegative()).isFalse();
        assertThat(js.ping(java.peerId())).isGreaterThanOrEqualTo(0);
        assertThat(java.node().ping(js.peerId()).isNegative()).isFalse();
        assertThat(js.ping(java.peerId())).isGreaterThanOrEqualTo(0);

        assertStillOneQuicConnection();
    }

    @ParameterizedTest
    @EnumSource(Dialler.class)
    void gossipBothWaysOverQuic(Dialler dialler) throws Exception {
        js.subscribe(TOPIC);
        java.subscribe(TOPIC);
        connectOverQuic(dialler);
        await().atMost(TIMEOUT).until(() -> js.topicPeers(TOPIC).contains(java.peerId())
                && java.router().topicPeers(TOPIC).contains(js.peerId()));

        java.publish(TOPIC, "hello from java over quic");
        await().atMost(TIMEOUT).until(() -> js.messages(TOPIC).contains("hello from java over quic"));
        JsonNode m = js.event(e -> "hello from java over quic".equals(e.path("data").asString(""))).orElseThrow();
        assertThat(m.get("type").asString()).isEqualTo("signed");
        assertThat(m.get("from").asString()).isEqualTo(java.peerId().toString());

        js.publish(TOPIC, "hello from js over quic");
        await().atMost(TIMEOUT).until(() -> java.received().contains("hello from js over quic"));
        assertThat(java.authorOf("hello from js over quic")).isEqualTo(js.peerId());

        assertStillOneQuicConnection();
    }

    @Test
    void javaOpensOneHundredConcurrentEchoStreamsToJsOverOneQuicConnection() throws Exception {
        connectOverQuic(Dialler.JAVA);
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < STREAMS; i++) {
            byte[] data = new byte[STREAM_BYTES];
            random.nextBytes(data);
            sent.add(data);
            echoed.add(EchoProtocol.roundTrip(java.node().host(), js.peerId(), data));
        }

        CompletableFuture.allOf(echoed.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        for (int i = 0; i < STREAMS; i++) {
            assertThat(echoed.get(i).get()).as("stream %d", i).isEqualTo(sent.get(i));
        }
        assertStillOneQuicConnection();
    }

    @Test
    void jsOpensOneHundredConcurrentEchoStreamsToJavaOverOneQuicConnection() throws Exception {
        connectOverQuic(Dialler.JS);

        // peer.mjs checks every byte of every echo and fails the command otherwise
        js.echo(java.peerId(), STREAMS, STREAM_BYTES, Duration.ofMinutes(2));

        assertStillOneQuicConnection();
    }

    /**
     * QUIC limits how many streams a peer may have opened (MAX_STREAMS), not how many are open: js's limit is
     * {@value #JS_STREAM_LIMIT}, so more than that many streams over one connection pass only if js returns the
     * credit of closed streams. Java opens no stream the peer has no credit for (it fails fast instead), so
     * each round first waits until js has granted a round's worth.
     */
    @Test
    void javaOpensMoreStreamsOverTimeThanJsAllowsAtOnce() throws Exception {
        Connection conn = connectOverQuic(Dialler.JAVA);
        QuicChannel quic = (QuicChannel) conn.channel();
        byte[] data = new byte[1024];
        new Random(11).nextBytes(data);
        int opened = 0;
        while (opened <= JS_STREAM_LIMIT + STREAMS) {
            await().atMost(TIMEOUT).until(() -> quic.eventLoop()
                    .submit(() -> quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL)).get() >= STREAMS);
            List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                echoed.add(EchoProtocol.roundTrip(java.node().host(), js.peerId(), data));
            }
            CompletableFuture.allOf(echoed.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
            for (CompletableFuture<byte[]> e : echoed) {
                assertThat(e.get()).isEqualTo(data);
            }
            opened += STREAMS;
        }
        assertThat(opened).isGreaterThan(JS_STREAM_LIMIT);
        assertStillOneQuicConnection();
    }

    /**
     * The same the other way: Java allows {@link HostBuilder#maxInboundStreams} (256 by default) at once.
     *
     * <p>Disabled: js's echo command hangs in most runs, already with 2 to 5 concurrent streams. What is known:
     * <ul>
     * <li>Half-closing used to be {@code DuplexChannel.shutdownOutput()}, which on a Netty QUIC stream shuts the
     *     sending half in quiche at once, ahead of writes still waiting for credit ("echo differs, got 0"). All
     *     protocols now half-close with {@code P2pStream.halfClose}, a STREAM frame with FIN behind the data;
     *     that failure is gone.</li>
     * <li>On the Java side every responder reads all bytes and the js side's end, echoes, and its FIN write
     *     succeeds (the frame is handed to quiche); the stream then closes. js's debug log shows each stream's
     *     protocol selected and then nothing until the connection's idle timeout.</li>
     * <li>Java to Java the same pattern works (QuicHostTest.concurrentStreamsThatHalfCloseDeliverEverythingThenTheirEnd,
     *     250 streams), and Java to js works for 1,100 streams (the test above). Only streams js opens to Java
     *     stall.</li>
     * <li>quiche's qlog of Java's side of a stalled run (QuicChannelOption.QLOG on the listener) shows, for
     *     each stalled stream, every byte of the echo sent in STREAM frames but no frame with FIN, while the
     *     streams around it carry their FIN. So the FIN-only frame that {@code halfClose} writes after the data
     *     has gone out is accepted by Netty (its write succeeds) but never leaves quiche. Netty's
     *     {@code shutdownOutput} is no way round it: it is quiche's {@code stream_shutdown}, a reset.</li>
     * </ul>
     */
    @Disabled("js echo streams to Java over QUIC stall with a few concurrent streams; see the javadoc")
    @Test
    void jsOpensMoreStreamsOverTimeThanJavaAllowsAtOnce() throws Exception {
        connectOverQuic(Dialler.JS);

        for (int round = 0; round * STREAMS <= YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS + STREAMS; round++) {
            js.echo(java.peerId(), STREAMS, 1024, Duration.ofSeconds(20));
        }

        assertStillOneQuicConnection();
    }

    @Test
    void javaRefusesAJsPeerThatIsNotTheOneDialledOverQuic() {
        String wrong = js.quicAddr().replace(js.peerId().toString(), PrivateKey.generate().peerId().toString());

        assertThatThrownBy(() -> java.node().dial(wrong))
                .hasStackTraceContaining("is not the dialled");
        assertThat(java.node().host().isConnected(js.peerId())).isFalse();
    }

    /**
     * Opens the connection from {@code dialler}'s side to the other's quic-v1 address and waits until both
     * sides hold it as a QUIC connection, and only it.
     */
    private Connection connectOverQuic(Dialler dialler) throws Exception {
        if (dialler == Dialler.JAVA) {
            assertThat(java.node().dial(js.quicAddr()).transport()).isEqualTo(Connection.Transport.QUIC);
        } else {
            assertThat(js.dial(java.node().quicAddr()).muxer()).isEqualTo("quic");
        }
        await().atMost(TIMEOUT).until(() -> java.node().host().isConnected(js.peerId())
                && !js.connections(java.peerId()).isEmpty());
        Connection conn = java.node().host().connection(js.peerId()).orElseThrow();
        assertThat(conn.outbound()).isEqualTo(dialler == Dialler.JAVA);
        assertStillOneQuicConnection();
        return conn;
    }

    /** Both sides have exactly one connection to each other, and it is a QUIC one. */
    private void assertStillOneQuicConnection() {
        Connection conn = java.node().host().connection(js.peerId()).orElseThrow();
        assertThat(conn.transport()).as("Java's connection to js").isEqualTo(Connection.Transport.QUIC);
        assertThat(conn.isOpen()).isTrue();
        assertThat(js.connections(java.peerId())).singleElement()
                .satisfies(c -> assertThat(c.isQuic()).as("js's connection to Java: %s", c).isTrue());
    }

    private static String withoutPeerId(String multiaddr) {
        return Multiaddr.parse(multiaddr).withoutPeerId().toString();
    }
}
