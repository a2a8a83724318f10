package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.interop.JsPeer;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Three nodes: B is a relay; A holds a reservation on B ({@code p2psync.libp2p.relay.reserve-on}); C dials A at its
 * {@code /p2p-circuit} address through B. A's and C's REST endpoints answer on 127.0.0.2, where the url each could
 * learn from the other is not, and neither pairs with B for data, so every write between A and C crosses the circuit
 * over the libp2p sync protocol.
 */
class RelaySyncIT {

    @TempDir
    Path dir;
    private LiveTestNode a;
    private LiveTestNode b;
    private LiveTestNode c;
    private final ListAppender<ILoggingEvent> relayLog = new ListAppender<>();
    private final Logger relayLogger = (Logger) LoggerFactory.getLogger(RelayServer.class);

    private JsPeer jsRelay;

    @AfterEach
    void stopNodes() {
        relayLogger.detachAppender(relayLog);
        for (LiveTestNode n : new LiveTestNode[] {c, a, b}) {
            if (n != null) {
                n.close();
            }
        }
        if (jsRelay != null) {
            jsRelay.close();
        }
    }

    private static LiveTestNode restUnreachable(String name, Path dataDir, String... extra) {
        String[] props = new String[extra.length + 3];
        props[0] = "server.address=127.0.0.2";
        // the DHT would find the other device's direct address through B and connect past the relay
        props[1] = "p2psync.libp2p.dht.enabled=false";
        // and hole punching would upgrade the circuit to a direct connection (DcutrNamespaceIT tests that)
        props[2] = "p2psync.libp2p.dcutr.enabled=false";
        System.arraycopy(extra, 0, props, 3, extra.length);
        return LiveTestNode.start(name, dataDir, props);
    }

    private static Optional<String> circuitAddress(LiveTestNode node) {
        return StreamSupport.stream(node.status().get("listenAddrs").spliterator(), false).map(JsonNode::asString)
                .filter(a -> a.contains("/p2p-circuit/")).findFirst();
    }

    private List<String> logged() {
        synchronized (relayLog) {
            return new ArrayList<>(relayLog.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void devicesThatReachEachOtherOnlyThroughARelaySyncOverTheCircuit() throws Exception {
        // on 127.0.0.1 AutoNAT must be told to take loopback dial-backs as answers (off by default, see docs/relay.md)
        b = LiveTestNode.start("b", dir.resolve("b"), "p2psync.libp2p.autonat.private-addresses=true");
        relayLog.start();
        relayLogger.addAppender(relayLog);
        String bAddress = b.status().get("listenAddrs").get(0).asString();
        a = restUnreachable("a", dir.resolve("a"), "p2psync.libp2p.relay.reserve-on=" + bAddress,
                "p2psync.libp2p.relay.retry-interval=500ms", "p2psync.libp2p.autonat.retry-interval=1s",
                "p2psync.libp2p.autonat.private-addresses=true");

        // B relays for its authorized devices only: A's reservation is refused until B authorizes it
        await().atMost(Duration.ofSeconds(20)).until(() -> logged().stream()
                .anyMatch(m -> m.contains("refused reservation of " + a.id) && m.contains("not an authorized device")));
        assertThat(circuitAddress(a)).isEmpty();
        b.authorize(a.id, "a", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> circuitAddress(a).isPresent());
        String throughB = circuitAddress(a).orElseThrow();
        assertThat(throughB).isEqualTo(bAddress + "/p2p-circuit/p2p/" + a.id);

        for (int i = 0; i < 30; i++) {
            a.put("from-a-" + i, "written on a " + i);
        }
        // C's key is made first, so that B and A know C before it dials A through B at start
        PeerId cId = DeviceIdentity.loadOrCreate(dir.resolve("c")).deviceId();
        b.authorize(cId, "c", null);
        a.authorize(cId, "c", null);
        c = restUnreachable("c", dir.resolve("c"), "p2psync.libp2p.peers=" + throughB);
        c.authorize(a.id, "a", null);
        c.put("from-c", "written on c");

        await().atMost(Duration.ofSeconds(30)).until(() -> c.get("from-a-29").isPresent() && a.get("from-c").isPresent());
        for (int i = 0; i < 30; i++) {
            assertThat(c.get("from-a-" + i)).contains("written on a " + i);
        }
        assertThat(a.get("from-c")).contains("written on c");
        a.put("later", "after the first round");
        await().atMost(Duration.ofSeconds(20)).until(() -> c.get("later").isPresent());

        JsonNode toA = StreamSupport.stream(c.status().get("connections").spliterator(), false)
                .filter(n -> n.get("peer").asString().equals(a.id.toString())).findFirst().orElseThrow();
        assertThat(toA.get("transport").asString()).isEqualTo("relayed");
        assertThat(toA.get("direct").asBoolean()).isFalse();
        assertThat(toA.get("remoteAddress").asString()).isEqualTo(bAddress + "/p2p-circuit");
        assertThat(a.live().connectionTo(c.id)).get().extracting(io.p2psync.p2p.host.Connection::direct).isEqualTo(false);
        assertThat(logged()).anyMatch(m -> m.contains("circuit " + c.id + " -> " + a.id + " open"));

        // on 127.0.0.1 B dials A back once it has authorized A: A is PUBLIC, picks no relay by itself, and keeps the
        // reservation it was told to hold
        await().atMost(Duration.ofSeconds(30)).until(() -> a.status().path("reachability").asString("").equals("PUBLIC"));
        assertThat(a.live().autoRelays()).isEmpty();
        assertThat(circuitAddress(a)).contains(throughB);
    }

    /**
     * The same with a js-libp2p relay (@libp2p/circuit-relay-v2) in B's place: A reserves on it, C dials A through it,
     * and their writes cross it over the libp2p sync protocol.
     */
    @Test
    void twoNodesSyncThroughAJsRelay() throws Exception {
        jsRelay = JsPeer.start(new JsPeer.Options().script("relay-peer.mjs", "--relay", "true"));
        String relayAddress = jsRelay.tcpAddr();
        a = restUnreachable("a", dir.resolve("a"), "p2psync.libp2p.relay.reserve-on=" + relayAddress,
                "p2psync.libp2p.relay.retry-interval=500ms");
        await().atMost(Duration.ofSeconds(20)).until(() -> circuitAddress(a).isPresent());
        String throughRelay = circuitAddress(a).orElseThrow();
        assertThat(throughRelay).isEqualTo(relayAddress + "/p2p-circuit/p2p/" + a.id);
        for (int i = 0; i < 20; i++) {
            a.put("via-js-" + i, "written on a " + i);
        }

        a.authorize(DeviceIdentity.loadOrCreate(dir.resolve("c")).deviceId(), "c", null);
        c = restUnreachable("c", dir.resolve("c"), "p2psync.libp2p.peers=" + throughRelay);
        c.authorize(a.id, "a", null);
        c.put("from-c", "written on c");

        await().atMost(Duration.ofSeconds(30)).until(() -> c.get("via-js-19").isPresent() && a.get("from-c").isPresent());
        for (int i = 0; i < 20; i++) {
            assertThat(c.get("via-js-" + i)).contains("written on a " + i);
        }
        JsonNode toA = StreamSupport.stream(c.status().get("connections").spliterator(), false)
                .filter(n -> n.get("peer").asString().equals(a.id.toString())).findFirst().orElseThrow();
        assertThat(toA.get("transport").asString()).isEqualTo("relayed");
        assertThat(toA.get("direct").asBoolean()).isFalse();
    }
}
