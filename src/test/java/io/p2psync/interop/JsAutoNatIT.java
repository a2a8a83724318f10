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
 * AutoNAT v1 between a js-libp2p peer with {@code @libp2p/autonat} 2.0.38, which asks, and a Java server, which dials
 * it back. js-libp2p asks about public addresses only, so both run in a network namespace of this test whose loopback
 * carries 11.0.0.1 (js) and 11.0.0.2 (Java), addresses js counts as public; nothing there leaves the namespace.
 *
 * <p>The other way (a Java client asking a js server) is not tested, as it cannot work with that version: the js
 * server "dials" the asking peer by taking the connection it already has to it, and closes that connection, the one
 * the request came on, before it answers; the Java client gets no answer and its state stays as it was.
 */
class JsAutoNatIT {

    private static final String JS_ADDRESS = "/ip4/11.0.0.1/tcp/4001";

    private final List<AutoCloseable> open = new ArrayList<>();
    private NetNamespace ns;

    @BeforeEach
    void makeNetwork() throws Exception {
        try {
            ns = NetNamespace.create();
            open.add(ns);
        } catch (NetNamespace.Unavailable e) {
            Assumptions.abort("this test needs a network namespace, which this machine cannot make: " + e.getMessage());
        }
        for (String ip : List.of("11.0.0.1", "11.0.0.2")) {
            Process p = ns.processBuilder(List.of("ip", "addr", "add", ip + "/32", "dev", "lo")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Assumptions.abort("cannot add " + ip + " in the test's namespace");
            }
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aJavaServerDialsAJsPeerBackAndJsAnnouncesTheConfirmedAddress() throws Exception {
        JsPeer peer = js();
        // js announces a listen address on a public IP only once AutoNAT confirmed it
        assertThat(jsAddrs(peer)).noneMatch(a -> a.startsWith(JS_ADDRESS));

        // Java dials js (from 11.0.0.1 on this loopback, so js is seen at the IP it asks about), js asks Java to dial
        // its listen address back, Java does, and js takes the answer
        java("dial=" + JS_ADDRESS + "/p2p/" + peer.peerId());

        await().atMost(Duration.ofSeconds(30)).until(() -> jsAddrs(peer).stream().anyMatch(a -> a.startsWith(JS_ADDRESS)));
    }

    private JsPeer js() throws Exception {
        JsPeer peer = JsPeer.start(new JsPeer.Options().launcher(ns.launcher()).listen(JS_ADDRESS)
                .script("relay-peer.mjs", "--autonat", "true"));
        open.add(peer);
        return peer;
    }

    private ChildNode java(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("/ip4/11.0.0.2/tcp/0", "autonat"));
        all.addAll(List.of(args));
        ChildNode node = new ChildNode(ns.launcher(), DcutrNodeMain.class, all.toArray(String[]::new));
        open.add(node);
        node.awaitReady();
        return node;
    }

    private static List<String> jsAddrs(JsPeer peer) {
        return peer.call("addrs", Map.of()).get("addrs").values().stream().map(JsonNode::asString).toList();
    }
}
