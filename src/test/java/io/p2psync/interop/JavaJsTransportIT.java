package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java host against a real js-libp2p 2.10 peer over TCP on 127.0.0.1: either side dials, both
 * complete multistream, Noise XX (with the libp2p identity payload) and yamux, and streams carry data
 * both ways.
 */
class JavaJsTransportIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int STREAMS = 100;
    private static final int STREAM_BYTES = 64 * 1024;

    private JsPeer js;
    private Host java;

    @BeforeEach
    void start() throws Exception {
        js = JsPeer.start();
        js.serveEcho();
        java = Host.builder().listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoProtocol()).start();
    }

    @AfterEach
    void stop() {
        if (java != null) java.close();
        if (js != null) js.close();
    }

    @Test
    void javaDialsJs() throws Exception {
        Connection conn = java.dial(Multiaddr.parse(js.addrs().get(0))).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(conn.remotePeer()).isEqualTo(js.peerId());
        await().atMost(TIMEOUT).until(() -> js.peers().contains(java.peerId()));
    }

    @Test
    void jsDialsJava() {
        JsPeer.Dialed dialed = js.dial(javaAddr());

        assertThat(dialed.peer()).isEqualTo(java.peerId());
        assertThat(dialed.encryption()).isEqualTo("/noise");
        assertThat(dialed.muxer()).isEqualTo("/yamux/1.0.0");
        await().atMost(TIMEOUT).until(() -> java.isConnected(js.peerId()));
    }

    @Test
    void javaRefusesAJsPeerThatIsNotTheOneDialled() {
        String wrong = js.addrs().get(0).replace(js.peerId().toString(), PrivateKey.generate().peerId().toString());

        assertThatThrownBy(() -> java.dial(Multiaddr.parse(wrong)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .hasStackTraceContaining("but the peer is " + js.peerId());
        assertThat(java.isConnected(js.peerId())).isFalse();
    }

    @Test
    void javaOpensOneHundredConcurrentEchoStreamsToJs() throws Exception {
        java.dial(Multiaddr.parse(js.addrs().get(0))).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < STREAMS; i++) {
            byte[] data = new byte[STREAM_BYTES];
            random.nextBytes(data);
            sent.add(data);
            echoed.add(EchoProtocol.roundTrip(java, js.peerId(), data));
        }

        CompletableFuture.allOf(echoed.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        for (int i = 0; i < STREAMS; i++) {
            assertThat(echoed.get(i).get()).as("stream %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void jsOpensOneHundredConcurrentEchoStreamsToJava() {
        js.dial(javaAddr());

        // peer.mjs checks every byte of every echo and fails the command otherwise
        js.echo(java.peerId(), STREAMS, STREAM_BYTES, Duration.ofMinutes(2));
    }

    private String javaAddr() {
        return java.listenAddresses().get(0).withPeerId(java.peerId()).toString();
    }
}
