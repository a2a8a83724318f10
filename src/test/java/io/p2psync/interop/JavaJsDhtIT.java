package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.kad.DhtNode;
import io.p2psync.p2p.kad.KadConfig;
import io.p2psync.p2p.kad.KadMode;
import io.p2psync.p2p.kad.KadPeer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kademlia DHT against a real js-libp2p peer running {@code @libp2p/kad-dht} on the same private protocol id.
 * Three Java DHT nodes A, B, C and the js peer J: C and J know B, A knows only J. Each test finds a peer that the
 * finder has never met, through the answers of the other implementation or to it.
 */
class JavaJsDhtIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final KadConfig CONFIG = KadConfig.defaults().withRefreshInterval(Duration.ZERO);

    private JsPeer js;
    private DhtNode a;
    private DhtNode b;
    private DhtNode c;

    @BeforeEach
    void start() throws Exception {
        js = JsPeer.start(new JsPeer.Options().dht(KadConfig.DEFAULT_PROTOCOL_ID));
        a = DhtNode.start(CONFIG);
        b = DhtNode.start(CONFIG);
        // C is a client, as a device behind a home router would be: no table takes it in, so no peer meets it by
        // chance while filling its table; B still names it to whoever asks for exactly C
        c = DhtNode.start(CONFIG.withMode(KadMode.CLIENT));
        c.host().dial(b.addr()).get(10, TimeUnit.SECONDS);
        js.dial(b.addr().toString());
        a.host().dial(org.assertj.core.util.Lists.newArrayList(js.addrs()).stream()
                .map(io.p2psync.p2p.core.Multiaddr::parse).filter(m -> !m.withoutPeerId().isQuic()).findFirst()
                .orElseThrow()).get(10, TimeUnit.SECONDS);
        await("B knows where C is").atMost(TIMEOUT).until(() -> !b.dht().addressesOf(c.peerId()).isEmpty());
        await("B has J in its table").atMost(TIMEOUT).until(() -> b.table().contains(js.peerId()));
        await("A has J in its table").atMost(TIMEOUT).until(() -> a.table().contains(js.peerId()));
        await("J has B in its table").atMost(TIMEOUT).until(() -> js.dhtPeers().contains(b.peerId()));
    }

    @AfterEach
    void stop() {
        for (AutoCloseable n : new AutoCloseable[] {a, b, c, js}) {
            try {
                if (n != null) {
                    n.close();
                }
            } catch (Exception e) {
                // closing what the test started; the next one goes on
            }
        }
    }

    @Test
    void javaFindsAJsPeersAddressesThroughTheDht() throws Exception {
        assertThat(c.host().isConnected(js.peerId())).isFalse();

        Optional<KadPeer> found = c.dht().findPeer(js.peerId()).get(30, TimeUnit.SECONDS);

        assertThat(found).isPresent();
        assertThat(found.get().addrs().stream().map(m -> m.withPeerId(js.peerId()).toString()))
                .containsAnyElementsOf(js.addrs());
    }

    @Test
    void jsFindsAJavaNodesAddressesThroughTheDht() {
        assertThat(js.peers()).doesNotContain(c.peerId());

        assertThat(js.findPeer(c.peerId())).contains(c.host().listenAddresses().get(0).toString());
    }

    @Test
    void javaFindsAJavaNodeThroughTheAnswersOfAJsPeer() throws Exception {
        // A's table holds J only: B, and then C, can only come from J's answer and B's
        assertThat(a.table()).containsExactly(js.peerId());

        Optional<KadPeer> found = a.dht().findPeer(c.peerId()).get(30, TimeUnit.SECONDS);

        assertThat(found).isPresent();
        assertThat(found.get().addrs()).contains(c.host().listenAddresses().get(0));
    }
}
