package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Peer routing across networks that do not reach each other, in network namespaces this test makes: A and C
 * each share a link only with B (veth pairs on 10.77.1.0/24 and 10.77.2.0/24; B does not forward), so A cannot
 * reach C. Java DHT nodes run in child JVMs, one per namespace; A and C know only B. A finds C's address through
 * the DHT via B, and a dial to it fails, since nothing routes there: finding is done by the DHT, reaching such a
 * device needs a relay. Skipped with the reason where no namespace can be made.
 */
class DhtNamespaceIT {

    private final List<AutoCloseable> open = new ArrayList<>();
    private NetNamespace nsA;
    private NetNamespace nsB;
    private NetNamespace nsC;

    @BeforeEach
    void makeNetworks() throws Exception {
        try {
            nsA = NetNamespace.create();
            open.add(nsA);
            nsB = NetNamespace.create();
            open.add(nsB);
            nsC = NetNamespace.create();
            open.add(nsC);
        } catch (NetNamespace.Unavailable e) {
            Assumptions.abort("this test needs network namespaces, which this machine cannot make: " + e.getMessage());
        }
        link(nsA, "10.77.1.1/24", nsB, "10.77.1.2/24");
        link(nsC, "10.77.2.1/24", nsB, "10.77.2.2/24");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aFindsTheAddressOfCThroughBAlthoughItCannotReachC() throws Exception {
        ChildNode b = node(nsB, "/ip4/0.0.0.0/tcp/0");
        String bForA = b.addrs().stream().filter(a -> a.startsWith("/ip4/10.77.1.2/")).findFirst().orElseThrow();
        String bForC = b.addrs().stream().filter(a -> a.startsWith("/ip4/10.77.2.2/")).findFirst().orElseThrow();
        ChildNode c = node(nsC, "/ip4/10.77.2.1/tcp/0", "bootstrap=" + bForC);
        await().atMost(Duration.ofSeconds(30)).until(() -> !c.events("bootstrapped").isEmpty());

        ChildNode a = node(nsA, "/ip4/10.77.1.1/tcp/0", "bootstrap=" + bForA, "find=" + c.peerId());

        await().atMost(Duration.ofSeconds(60)).until(() -> !a.events("found").isEmpty() || !a.events("notFound").isEmpty());
        assertThat(a.events("notFound")).isEmpty();
        JsonNode found = a.events("found").get(0);
        List<String> addrs = found.get("addrs").values().stream().map(JsonNode::asString).toList();
        String cAddr = c.addrs().get(0).substring(0, c.addrs().get(0).indexOf("/p2p/"));
        assertThat(addrs).contains(cAddr);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.events("dialed").size() == addrs.size());
        assertThat(a.events("dialed")).as("A has no route to C's network").noneMatch(e -> e.get("ok").asBoolean());
    }

    private ChildNode node(NetNamespace ns, String... args) throws IOException {
        ChildNode n = new ChildNode(ns.launcher(), DhtNodeMain.class, args);
        open.add(n);
        n.awaitReady();
        return n;
    }

    /** A veth pair between two namespaces, with an address and the link up at each end. */
    private static void link(NetNamespace left, String leftAddr, NetNamespace right, String rightAddr) throws Exception {
        String suffix = Long.toString(System.nanoTime() % 1_000_000, 36);
        String l = "vl" + suffix;
        String r = "vr" + suffix;
        run(List.of("ip", "link", "add", l, "type", "veth", "peer", "name", r));
        run(List.of("ip", "link", "set", l, "netns", holderPid(left)));
        run(List.of("ip", "link", "set", r, "netns", holderPid(right)));
        run(withLauncher(left, "ip", "addr", "add", leftAddr, "dev", l));
        run(withLauncher(left, "ip", "link", "set", l, "up"));
        run(withLauncher(right, "ip", "addr", "add", rightAddr, "dev", r));
        run(withLauncher(right, "ip", "link", "set", r, "up"));
    }

    private static String holderPid(NetNamespace ns) {
        String net = ns.launcher().stream().filter(s -> s.startsWith("--net=/proc/")).findFirst().orElseThrow();
        return net.substring("--net=/proc/".length(), net.indexOf("/ns/net"));
    }

    private static List<String> withLauncher(NetNamespace ns, String... command) {
        List<String> out = new ArrayList<>(ns.launcher());
        out.addAll(List.of(command));
        return out;
    }

    private static void run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().merge("PATH", "/usr/sbin:/sbin", (path, sbin) -> path + ":" + sbin);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("cannot set up the test's networks (" + String.join(" ", command) + "): " + out.trim());
        }
    }
}
