package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * DCUtR between a Java host and a js-libp2p peer with {@code @libp2p/dcutr}, meeting through a js relay, both ways.
 * js-libp2p's DCUtR dials only public addresses, so the three run in a network namespace of this test whose loopback
 * carries 11.0.0.1 (the js peer), 11.0.0.2 (Java) and 11.0.0.3 (the relay), addresses js counts as public; nothing
 * there leaves the namespace. No NAT is in between (DcutrNamespaceIT has that), so the dial to the other side's
 * listen address is what makes the direct connection; the test shows that each side runs the other's exchange.
 */
class DcutrJsIT {

    private final List<AutoCloseable> open = new ArrayList<>();
    private NetNamespace ns;
    private JsPeer relay;

    @BeforeEach
    void makeNetwork() throws Exception {
        try {
            ns = NetNamespace.create();
            open.add(ns);
        } catch (NetNamespace.Unavailable e) {
            Assumptions.abort("this test needs a network namespace, which this machine cannot make: " + e.getMessage());
        }
        for (String ip : List.of("11.0.0.1", "11.0.0.2", "11.0.0.3")) {
            Process p = ns.processBuilder(List.of("ip", "addr", "add", ip + "/32", "dev", "lo")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Assumptions.abort("cannot add " + ip + " in the test's namespace");
            }
        }
        relay = js("/ip4/11.0.0.3/tcp/4003", "--relay", "true");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void javaDialsAJsPeerThroughARelayAndTheJsPeerUpgradesToDirect() throws Exception {
        JsPeer peer = js("/ip4/11.0.0.1/tcp/4001," + relay.tcpAddr() + "/p2p-circuit", "--dcutr", "true");
        await().atMost(Duration.ofSeconds(20)).until(() -> circuitAddress(peer) != null);
        // the Java side names no listen address in identify, so js cannot just dial it: it must run the exchange
        ChildNode java = java("/ip4/11.0.0.2/tcp/0", "announce=none", "dial=" + circuitAddress(peer));

        await().atMost(Duration.ofSeconds(30)).until(() -> !java.events("dialed").isEmpty());
        assertThat(java.events("dialed").get(0).get("ok").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> onlyDirect(java, peer.peerId().toString()));
        // js (the spec's B) sent CONNECT and SYNC; Java (A) dialled js on SYNC while js dialled Java. With no NAT in
        // between both dials get through, and each side keeps whichever direct connection came up first (Dcutr), so
        // which of the two is left is a race: either one proves the exchange, as Java announces no address that js
        // could have dialled otherwise. (Asserting that Java's outbound one is left failed in CI runs.)
        assertThat(connectionsTo(java, peer.peerId().toString())).allMatch(c -> c.get("direct").asBoolean()
                && (!c.get("outbound").asBoolean() || c.get("addr").asString().startsWith("/ip4/11.0.0.1/tcp/4001")));
        await().atMost(Duration.ofSeconds(20)).until(() -> jsConnections(peer, java.peerId()).stream()
                .noneMatch(a -> a.contains("/p2p-circuit")) && !jsConnections(peer, java.peerId()).isEmpty());
    }

    @Test
    void aJsPeerDialsJavaThroughARelayAndJavaUpgradesToDirect() throws Exception {
        JsPeer peer = js("/ip4/11.0.0.1/tcp/4001", "--dcutr", "true");
        ChildNode java = java("/ip4/11.0.0.2/tcp/0", "reserve=" + relay.tcpAddr());
        await().atMost(Duration.ofSeconds(30)).until(() -> !java.events("reserved").isEmpty());
        String circuit = java.events("reserved").get(0).get("addrs").get(0).asString();

        peer.call("dial", Map.of("addr", circuit));

        // Java (the spec's B) sent CONNECT and SYNC; js (A) dialled Java's listen address on SYNC
        await().atMost(Duration.ofSeconds(30)).until(() -> onlyDirect(java, peer.peerId().toString()));
        assertThat(connectionsTo(java, peer.peerId().toString())).noneMatch(c -> c.get("outbound").asBoolean());
        await().atMost(Duration.ofSeconds(20)).until(() -> jsConnections(peer, java.peerId()).stream()
                .noneMatch(a -> a.contains("/p2p-circuit")) && !jsConnections(peer, java.peerId()).isEmpty());
    }

    /**
     * A js peer in the namespace; its first listen address (a fixed port, as the namespace is the test's own) is
     * announced as verified, since js announces an address on a public IP only once AutoNAT confirmed it.
     */
    private JsPeer js(String listen, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--append-announce", listen.split(",")[0]));
        JsPeer peer = JsPeer.start(new JsPeer.Options().launcher(ns.launcher()).listen(listen.split(","))
                .script("relay-peer.mjs", all.toArray(String[]::new)));
        open.add(peer);
        return peer;
    }

    private ChildNode java(String... args) throws Exception {
        ChildNode node = new ChildNode(ns.launcher(), DcutrNodeMain.class, args);
        open.add(node);
        node.awaitReady();
        return node;
    }

    private static String circuitAddress(JsPeer peer) {
        return peer.call("addrs", Map.of()).get("addrs").values().stream().map(JsonNode::asString)
                .filter(a -> a.contains("/p2p-circuit/")).findFirst().orElse(null);
    }

    private static List<String> jsConnections(JsPeer peer, String javaPeer) {
        return peer.call("connections", Map.of("peer", javaPeer)).get("connections").values().stream()
                .map(c -> c.get("addr").asString()).toList();
    }

    private static List<JsonNode> connectionsTo(ChildNode node, String peer) {
        List<JsonNode> events = node.events("connections");
        if (events.isEmpty()) {
            return List.of();
        }
        return events.get(events.size() - 1).get("list").values().stream()
                .filter(c -> c.get("peer").asString().equals(peer)).toList();
    }

    private static boolean onlyDirect(ChildNode node, String peer) {
        List<JsonNode> to = connectionsTo(node, peer);
        return !to.isEmpty() && to.stream().allMatch(c -> c.get("direct").asBoolean());
    }
}
