package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * mDNS for real, on UDP 224.0.0.251:5353, inside a network namespace this test makes, so no packet leaves
 * it. Java nodes run in child JVMs and the js peer in node, all joined to the namespace; nobody is given
 * an address, they find each other and connect. Where no namespace can be made (no privilege, no tools),
 * every test is skipped with the reason.
 */
class MdnsDiscoveryIT {

    private static final String QUERY_INTERVAL_MS = "500";
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(30);

    private NetNamespace ns;
    private final List<AutoCloseable> nodes = new ArrayList<>();

    @BeforeEach
    void makeNamespace() {
        try {
            ns = NetNamespace.create();
        } catch (NetNamespace.Unavailable e) {
            Assumptions.abort("mDNS test needs its own network namespace, which this machine cannot make: " + e.getMessage());
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable node : nodes) {
            node.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void twoJavaNodesFindEachOtherAndConnect() throws Exception {
        ChildNode a = javaNode();
        ChildNode b = javaNode();

        await().atMost(DISCOVERY_TIMEOUT).until(() -> heard(a.events("discovered"), b.peerId(), b.addrs())
                && heard(b.events("discovered"), a.peerId(), a.addrs()));
        await().atMost(DISCOVERY_TIMEOUT).until(() -> connected(a, b.peerId()) && connected(b, a.peerId()));
        assertThat(a.events("discovered")).noneMatch(e -> e.get("peer").asString().equals(a.peerId()));
    }

    @Test
    void javaAndJsNodesFindEachOtherAndConnect() throws Exception {
        ChildNode java = javaNode();
        JsPeer js = JsPeer.start(new JsPeer.Options().launcher(ns.launcher()).mdns(Duration.ofMillis(500)));
        nodes.add(js);

        await().atMost(DISCOVERY_TIMEOUT).until(() -> heard(java.events("discovered"), js.peerId().toString(), js.addrs()));
        // js-libp2p's mDNS reports addresses without the /p2p/<id> suffix; the Java node announces TCP and QUIC
        List<String> expected = java.addrs().stream().map(a -> a.substring(0, a.indexOf("/p2p/"))).toList();
        assertThat(expected).anyMatch(a -> a.contains("/tcp/")).anyMatch(a -> a.endsWith("/quic-v1"));
        await().atMost(DISCOVERY_TIMEOUT).until(() -> heard(js.events("mdnsPeer"), java.peerId(), expected));
        await().atMost(DISCOVERY_TIMEOUT).until(() -> connected(java, js.peerId().toString())
                && js.peers().contains(io.p2psync.p2p.core.PeerId.parse(java.peerId())));
    }

    private static boolean connected(ChildNode node, String peer) {
        return node.events("connected").stream().anyMatch(e -> e.get("peer").asString().equals(peer));
    }

    /** A Java libp2p node with mDNS that dials whatever it discovers, in a child JVM in the namespace. */
    private ChildNode javaNode() throws Exception {
        ChildNode node = new ChildNode(ns.launcher(), MdnsNodeMain.class, QUERY_INTERVAL_MS);
        nodes.add(node);
        node.awaitReady();
        return node;
    }

    private static boolean heard(List<JsonNode> discovered, String peer, List<String> addrs) {
        return discovered.stream().anyMatch(e -> e.get("peer").asString().equals(peer)
                && e.get("addrs").values().stream().map(JsonNode::asString).toList().containsAll(addrs));
    }
}
