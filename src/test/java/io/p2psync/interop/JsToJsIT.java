package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the harness itself: two js-libp2p peers driven through {@link JsPeer} connect, ping, echo and
 * gossip. If this fails, the Java interop tests cannot be trusted either.
 */
class JsToJsIT {

    private static final String TOPIC = "p2p-sync-test";

    private JsPeer a;
    private JsPeer b;

    @BeforeEach
    void start() throws Exception {
        a = JsPeer.start();
        b = JsPeer.start(new JsPeer.Options().key(PrivateKey.generate()));
    }

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    @Test
    void peerStartedWithAFixedKeyHasThatKeysPeerId() throws Exception {
        PrivateKey key = PrivateKey.generate();
        try (JsPeer c = JsPeer.start(new JsPeer.Options().key(key))) {
            assertThat(c.peerId()).isEqualTo(key.peerId());
            assertThat(c.addrs()).allMatch(addr -> addr.endsWith("/p2p/" + key.peerId()));
        }
    }

    @Test
    void dialsPingsAndIdentifies() {
        a.dial(b.addrs().get(0));

        assertThat(a.peers()).contains(b.peerId());
        assertThat(a.ping(b.peerId())).isGreaterThanOrEqualTo(0);
        assertThat(b.ping(a.peerId())).isGreaterThanOrEqualTo(0);
        JsPeer.Identified id = a.identify(b.peerId());
        assertThat(id.agentVersion()).isEqualTo("p2p-sync-interop-js/1.0.0");
        assertThat(id.protocols()).contains("/ipfs/ping/1.0.0", "/ipfs/id/1.0.0", "/meshsub/1.1.0");
    }

    @Test
    void echoesOneHundredConcurrentStreams() {
        b.serveEcho();
        a.dial(b.addrs().get(0));

        a.echo(b.peerId(), 100, 64 * 1024, Duration.ofSeconds(60));

        assertThat(a.identify(b.peerId()).protocols()).contains(JsPeer.ECHO);
    }

    @Test
    void echoFailsForAProtocolTheRemoteDoesNotServe() {
        a.dial(b.addrs().get(0));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.echo(b.peerId(), 1, 10, Duration.ofSeconds(20)))
                .hasMessageContaining("echo failed");
    }

    @Test
    void gossipsBothWays() {
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        a.dial(b.addrs().get(0));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.topicPeers(TOPIC).contains(b.peerId())
                && b.topicPeers(TOPIC).contains(a.peerId()));

        a.publish(TOPIC, "from a");
        b.publish(TOPIC, "from b");

        await().atMost(Duration.ofSeconds(20)).until(() -> b.messages(TOPIC).contains("from a"));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.messages(TOPIC).contains("from b"));
        assertThat(b.events("message")).allMatch(m -> m.get("type").asString().equals("signed")
                && m.get("from").asString().equals(a.peerId().toString()));
    }
}
