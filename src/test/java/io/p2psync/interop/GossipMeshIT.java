package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A mixed gossipsub mesh on topic {@code p2p-sync}: two Java nodes and one js-libp2p peer
 * (@chainsafe/libp2p-gossipsub 14.1.2, StrictSign), all connected to each other, the js peer's id
 * authorized on both Java nodes.
 */
class GossipMeshIT {

    private static final String TOPIC = "p2p-sync";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PrivateKey jsKey = PrivateKey.generate();
    private final PrivateKey key1 = PrivateKey.generate();
    private final PrivateKey key2 = PrivateKey.generate();
    private final Set<PeerId> authorized = Set.of(jsKey.peerId(), key1.peerId(), key2.peerId());
    private JsPeer js;
    private GossipNode java1;
    private GossipNode java2;

    @BeforeEach
    void formMesh() throws Exception {
        js = JsPeer.start(new JsPeer.Options().key(jsKey));
        java1 = GossipNode.start(key1, authorized::contains);
        java2 = GossipNode.start(key2, authorized::contains);
        js.subscribe(TOPIC);
        java1.subscribe(TOPIC);
        java2.subscribe(TOPIC);
        java1.node().dial(js.addrs().get(0));
        java2.node().dial(js.addrs().get(0));
        java1.node().dial(java2.node().addr());

        await().atMost(TIMEOUT).until(() -> js.topicPeers(TOPIC).containsAll(Set.of(java1.peerId(), java2.peerId()))
                && java1.router().topicPeers(TOPIC).containsAll(Set.of(js.peerId(), java2.peerId()))
                && java2.router().topicPeers(TOPIC).containsAll(Set.of(js.peerId(), java1.peerId())));
    }

    @AfterEach
    void stop() {
        if (java1 != null) java1.close();
        if (java2 != null) java2.close();
        if (js != null) js.close();
    }

    @Test
    void messageFromJsReachesBothJavaNodes() {
        js.publish(TOPIC, "hello from js");

        await().atMost(TIMEOUT).until(() -> java1.received().contains("hello from js")
                && java2.received().contains("hello from js"));
        assertThat(java1.authorOf("hello from js")).isEqualTo(js.peerId());
        assertThat(java2.authorOf("hello from js")).isEqualTo(js.peerId());
    }

    @Test
    void messageFromJavaReachesJsSignedAndTheOtherJavaNode() {
        java1.publish(TOPIC, "hello from java");

        await().atMost(TIMEOUT).until(() -> js.messages(TOPIC).contains("hello from java")
                && java2.received().contains("hello from java"));
        // js-libp2p-gossipsub runs with StrictSign: it delivers only messages whose signature, key and
        // seqno it verified, and reports them as signed with their author
        JsonNode m = js.event(e -> "hello from java".equals(e.path("data").asString(""))).orElseThrow();
        assertThat(m.get("type").asString()).isEqualTo("signed");
        assertThat(m.get("from").asString()).isEqualTo(java1.peerId().toString());
        assertThat(java1.received()).doesNotContain("hello from java");
    }

    @Test
    void messagesFlowBothWaysRepeatedly() {
        for (int i = 0; i < 20; i++) {
            js.publish(TOPIC, "js " + i);
            java2.publish(TOPIC, "java " + i);
        }

        await().atMost(TIMEOUT).until(() -> java1.received().containsAll(numbered("js ")) && java1.received().containsAll(numbered("java "))
                && js.messages(TOPIC).containsAll(numbered("java ")) && java2.received().containsAll(numbered("js ")));
    }

    @Test
    void aConnectedStrangerThatIsNotAuthorizedGetsNoGossip() throws Exception {
        try (JsPeer stranger = JsPeer.start()) {
            stranger.subscribe(TOPIC);
            java1.node().dial(stranger.addrs().get(0));
            await().atMost(TIMEOUT).until(() -> stranger.peers().contains(java1.peerId()));

            java1.publish(TOPIC, "not for strangers");

            await().atMost(TIMEOUT).until(() -> js.messages(TOPIC).contains("not for strangers"));
            // connected for identify and ping, but neither subscriptions nor messages cross
            assertThat(java1.node().host().isConnected(stranger.peerId())).isTrue();
            assertThat(stranger.messages(TOPIC)).isEmpty();
            assertThat(stranger.topicPeers(TOPIC)).doesNotContain(java1.peerId());
            assertThat(java1.router().meshPeers(TOPIC)).doesNotContain(stranger.peerId());
        }
    }

    private static java.util.List<String> numbered(String prefix) {
        return java.util.stream.IntStream.range(0, 20).mapToObj(i -> prefix + i).toList();
    }
}
