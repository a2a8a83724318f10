package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.identify.IdentifyInfo;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Identify and ping between the Java node and a real js-libp2p peer, each way. */
class JavaJsProtocolsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private JsPeer js;
    private JavaNode java;

    @BeforeEach
    void start() throws Exception {
        js = JsPeer.start();
        java = JavaNode.start();
    }

    @AfterEach
    void stop() {
        if (java != null) java.close();
        if (js != null) js.close();
    }

    @Test
    void jsSeesTheJavaAgentAndProtocols() {
        js.dial(java.addr());

        JsPeer.Identified id = js.identify(java.peerId());

        assertThat(id.agentVersion()).isEqualTo(JavaNode.AGENT);
        assertThat(id.protocolVersion()).isEqualTo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION);
        assertThat(id.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", JsPeer.ECHO);
        assertThat(id.listenAddrs()).contains(java.host().listenAddresses().get(0).toString());
    }

    @Test
    void javaSeesTheJsAgentAndProtocols() throws Exception {
        java.dial(js.addrs().get(0));

        IdentifyInfo id = java.identify(js.peerId());

        assertThat(id.peerId()).isEqualTo(js.peerId());
        assertThat(id.agentVersion()).isEqualTo("p2p-sync-interop-js/1.0.0");
        assertThat(id.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0");
        assertThat(id.listenAddrs().stream().map(b -> Multiaddr.fromBytes(b).withPeerId(js.peerId()).toString()))
                .contains(js.addrs().get(0));
    }

    @Test
    void javaPingsJs() throws Exception {
        java.dial(js.addrs().get(0));

        assertThat(java.ping(js.peerId()).isNegative()).isFalse();
        assertThat(java.ping(js.peerId()).isNegative()).isFalse();
    }

    @Test
    void jsPingsJava() {
        js.dial(java.addr());

        assertThat(js.ping(java.peerId())).isGreaterThanOrEqualTo(0);
        assertThat(js.ping(java.peerId())).isGreaterThanOrEqualTo(0);
    }

    @Test
    void jsKeepsTheConnectionAfterItsAutomaticIdentify() {
        java.host().dial(Multiaddr.parse(js.addrs().get(0)));

        await().atMost(TIMEOUT).until(() -> js.peers().contains(java.peerId()));
        // js-libp2p runs identify on every new connection and drops peers whose answer it cannot read
        await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> js.peers().contains(java.peerId()));
        assertThat(java.host().isConnected(js.peerId())).isTrue();
    }
}
