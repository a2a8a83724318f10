package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.dcutr.Dcutr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two devices behind two home routers, in network namespaces this test makes. The "internet" namespace holds B (a
 * reachable device, e.g. the user's home server) and routes between 198.51.100.0/24 and 203.0.113.0/24. Router RA
 * (198.51.100.2) puts A (10.0.1.2) behind iptables MASQUERADE, router RC (203.0.113.2) does the same for C
 * (10.0.2.2); both drop unsolicited connections from outside, as home routers do, so A and C cannot dial each other.
 * Linux's MASQUERADE keeps a connection's source port when it is free, which is the endpoint-independent mapping that
 * TCP hole punching needs.
 *
 * <p>The nodes are the built jar, one process per namespace, each given only B as bootstrap peer and no relay to
 * reserve on: B's AutoNAT dial-backs tell A and C that they are not reachable, so each reserves a slot on B by itself
 * and announces its circuit address, while B, which A and C dial back, finds itself reachable and reserves nowhere.
 * A finds C through the DHT (bootstrap B), they reach each other through B's relay, and sync over the libp2p sync
 * protocol. While C's router
 * gives each connection a random port (MASQUERADE {@code --random-fully}, as a symmetric NAT does), every DCUtR
 * attempt fails and they stay on the relay; once it keeps ports and C has restarted, DCUtR turns the new relayed
 * connection into a direct one through both NATs, and the relayed one is closed. Skipped, with the reason, where
 * namespaces or iptables are not available.
 */
class DcutrNamespaceIT {

    private static final Path JAR = Path.of("target", "p2p-sync.jar");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int LIBP2P_PORT = 4001;
    private static final int REST_PORT = 8080;

    /** Data directories and node logs, kept under target/ for a look after a failure. */
    private final Path dir = Path.of("target", "dcutr-namespace-it", Long.toString(System.currentTimeMillis()));
    private final List<AutoCloseable> open = new ArrayList<>();
    private NetNamespace internet;
    private NetNamespace routerA;
    private NetNamespace routerC;
    private NetNamespace nsA;
    private NetNamespace nsC;
    private String wanC;

    @BeforeEach
    void makeNetworks() throws Exception {
        if (!Files.exists(JAR)) {
            Assumptions.abort(JAR + " is missing: run through ./mvnw verify, which packages it first");
        }
        try {
            internet = namespace();
            routerA = namespace();
            routerC = namespace();
            nsA = namespace();
            nsC = namespace();
        } catch (NetNamespace.Unavailable e) {
            Assumptions.abort("this test needs network namespaces, which this machine cannot make: " + e.getMessage());
        }
        String wanA = link(internet, "198.51.100.1/24", routerA, "198.51.100.2/24");
        wanC = link(internet, "203.0.113.1/24", routerC, "203.0.113.2/24");
        link(routerA, "10.0.1.1/24", nsA, "10.0.1.2/24");
        link(routerC, "10.0.2.1/24", nsC, "10.0.2.2/24");
        run(internet, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        homeRouter(routerA, wanA, "198.51.100.1");
        homeRouter(routerC, wanC, "203.0.113.1");
        run(nsA, "ip", "route", "add", "default", "via", "10.0.1.1");
        run(nsC, "ip", "route", "add", "default", "via", "10.0.2.1");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void devicesBehindTwoNatsFindEachOtherSyncThroughARelayAndPunchADirectConnection() throws Exception {
        // C's router first picks a random public port for each connection (a symmetric NAT): no hole punch gets through
        setMasquerade(routerC, wanC, true);
        Node b = Node.start(internet, dir.resolve("b"), "b");
        String bForA = "/ip4/198.51.100.1/tcp/" + LIBP2P_PORT + "/p2p/" + b.id();
        String bForC = "/ip4/203.0.113.1/tcp/" + LIBP2P_PORT + "/p2p/" + b.id();
        // no relay.reserve-on: A and C find out by AutoNAT that they need a relay
        String[] cArgs = {"--p2psync.libp2p.bootstrap=" + bForC, "--p2psync.libp2p.relay.retry-interval=1s"};
        open.add(b);
        // c and a start side by side (each waits only for b)
        java.util.concurrent.CompletableFuture<Node> startingC = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> startOrThrow(nsC, dir.resolve("c"), "c", cArgs));
        Node a;
        try {
            a = Node.start(nsA, dir.resolve("a"), "a", "--p2psync.libp2p.bootstrap=" + bForA,
                    "--p2psync.libp2p.relay.retry-interval=1s");
        } finally {
            Node started = startingC.exceptionally(failed -> null).join(); // closed at the end either way
            if (started != null) {
                open.add(started);
            }
        }
        open.add(a);
        Node c = startingC.join();

        // neither device can open a connection to the other, at its own address or at its router's
        assertThat(canConnect(nsA, "10.0.2.2", LIBP2P_PORT)).isFalse();
        assertThat(canConnect(nsA, "203.0.113.2", LIBP2P_PORT)).isFalse();
        assertThat(canConnect(nsC, "198.51.100.2", LIBP2P_PORT)).isFalse();
        assertThat(canConnect(nsA, "198.51.100.1", LIBP2P_PORT)).as("A reaches B").isTrue();

        // B relays for the user's devices, and dials them back when they ask (before, it refused: unknown peers)
        b.authorize(a.id(), "a");
        b.authorize(c.id(), "c");
        await().atMost(Duration.ofSeconds(60)).until(() -> "PRIVATE".equals(c.reachability())
                && "PRIVATE".equals(a.reachability()));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.listenAddrs().stream().anyMatch(x -> x.contains("/p2p-circuit/"))
                && a.listenAddrs().stream().anyMatch(x -> x.contains("/p2p-circuit/")));
        assertThat(c.log()).contains("auto relay: this node is not reachable; reserving on /ip4/203.0.113.1/tcp/"
                + LIBP2P_PORT + "/p2p/" + b.id());
        await().atMost(Duration.ofSeconds(60)).until(() -> "PUBLIC".equals(b.reachability()));
        assertThat(b.listenAddrs()).noneMatch(x -> x.contains("/p2p-circuit"));
        // the DHT follows: the devices nobody can dial only ask, B answers (and still finds them for others)
        await().atMost(Duration.ofSeconds(10)).until(() -> "client".equals(a.dht()) && "client".equals(c.dht()));
        assertThat(b.dht()).isEqualTo("server");
        assertThat(b.log()).doesNotContain("auto relay: this node is not reachable");
        for (int i = 0; i < 20; i++) {
            a.put("from-a-" + i, "written on a " + i);
            c.put("from-c-" + i, "written on c " + i);
        }
        // A looks C up in the DHT and dials what it finds: the circuit through B
        a.authorize(c.id(), "c");
        await().atMost(Duration.ofSeconds(60)).until(() -> !connections(a, c.id()).isEmpty());
        c.authorize(a.id(), "a");

        // they sync through B's relay (neither is reachable another way), and every hole punch fails
        await().atMost(Duration.ofSeconds(90)).until(() -> a.get("from-c-19").isPresent() && c.get("from-a-19").isPresent());
        await().atMost(Duration.ofSeconds(30)).until(() -> b.log().contains("circuit " + a.id() + " -> " + c.id() + " open"));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.log().contains("dcutr: upgrade of the relayed connection with "
                + a.id() + " failed after " + Dcutr.MAX_ATTEMPTS + " attempts"));
        assertThat(connections(a, c.id())).isNotEmpty().noneMatch(x -> x.get("direct").asBoolean());
        a.put("while-relayed", "from a");
        await().atMost(Duration.ofSeconds(60)).until(() -> c.get("while-relayed").isPresent());

        // C's router now keeps source ports (endpoint-independent mapping); C restarts, looks A up in the DHT (or A
        // redials it), they meet through the relay again, and this time DCUtR punches a direct connection through both
        // NATs
        c.close();
        setMasquerade(routerC, wanC, false);
        Node c2 = Node.start(nsC, dir.resolve("c"), "c", cArgs);
        open.add(c2);
        await().atMost(Duration.ofSeconds(120)).until(() -> onlyDirect(a, c2.id()) && onlyDirect(c2, a.id()));
        JsonNode aToC = connections(a, c2.id()).get(0);
        assertThat(aToC.get("transport").asString()).isEqualTo("tcp");
        assertThat(aToC.get("remoteAddress").asString()).startsWith("/ip4/203.0.113.2/tcp/");
        assertThat(connections(c2, a.id()).get(0).get("remoteAddress").asString()).startsWith("/ip4/198.51.100.2/tcp/");
        assertThat(c2.log()).contains("dcutr: direct connection with " + a.id());

        // writes go on over the direct connection
        a.put("after-upgrade", "from a");
        c2.put("after-upgrade-c", "from c");
        await().atMost(Duration.ofSeconds(60)).until(() -> c2.get("after-upgrade").isPresent() && a.get("after-upgrade-c").isPresent());
        await().atMost(Duration.ofSeconds(30)).until(() -> a.table("sync_kv").equals(c2.table("sync_kv")));
        assertThat(a.table("sync_kv")).contains("from-c-19", "from-a-19", "while-relayed", "after-upgrade-c");
    }

    private static Node startOrThrow(NetNamespace ns, Path dataDir, String name, String... args) {
        try {
            return Node.start(ns, dataDir, name, args);
        } catch (Exception e) {
            throw new IllegalStateException("node " + name + " did not start", e);
        }
    }

    /** Replaces the router's masquerading rule: with {@code randomPorts}, a random public port per connection. */
    private static void setMasquerade(NetNamespace router, String wan, boolean randomPorts) throws Exception {
        run(router, "iptables", "-t", "nat", "-F", "POSTROUTING");
        List<String> rule = new ArrayList<>(List.of("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j",
                "MASQUERADE"));
        if (randomPorts) {
            rule.add("--random-fully");
        }
        run(router, rule.toArray(String[]::new));
    }

    private static boolean onlyDirect(Node node, String peer) throws Exception {
        List<JsonNode> to = connections(node, peer);
        return !to.isEmpty() && to.stream().allMatch(x -> x.get("direct").asBoolean());
    }

    private static List<JsonNode> connections(Node node, String peer) throws Exception {
        return node.status().get("connections").values().stream()
                .filter(x -> x.get("peer").asString().equals(peer)).toList();
    }

    private NetNamespace namespace() throws NetNamespace.Unavailable {
        NetNamespace ns = NetNamespace.create();
        open.add(ns);
        return ns;
    }

    /** A router: forwards, masquerades what leaves on {@code wan}, and drops what comes in unasked. */
    private static void homeRouter(NetNamespace router, String wan, String upstream) throws Exception {
        run(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        run(router, "ip", "route", "add", "default", "via", upstream);
        run(router, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j", "MASQUERADE");
        for (String chain : List.of("INPUT", "FORWARD")) {
            run(router, "iptables", "-A", chain, "-i", wan, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED",
                    "-j", "ACCEPT");
            run(router, "iptables", "-A", chain, "-i", wan, "-j", "DROP");
        }
    }

    private static boolean canConnect(NetNamespace from, String ip, int port) throws Exception {
        Process p = from.processBuilder(List.of("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port))
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** A veth pair between two namespaces with an address and the link up at each end; answers the right end's name. */
    private static String link(NetNamespace left, String leftAddr, NetNamespace right, String rightAddr) throws Exception {
        String suffix = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String l = "dl" + suffix;
        String r = "dr" + suffix;
        runHere("ip", "link", "add", l, "type", "veth", "peer", "name", r);
        runHere("ip", "link", "set", l, "netns", holderPid(left));
        runHere("ip", "link", "set", r, "netns", holderPid(right));
        run(left, "ip", "addr", "add", leftAddr, "dev", l);
        run(left, "ip", "link", "set", l, "up");
        run(right, "ip", "addr", "add", rightAddr, "dev", r);
        run(right, "ip", "link", "set", r, "up");
        return r;
    }

    private static String holderPid(NetNamespace ns) {
        String net = ns.launcher().stream().filter(s -> s.startsWith("--net=/proc/")).findFirst().orElseThrow();
        return net.substring("--net=/proc/".length(), net.indexOf("/ns/net"));
    }

    private static void run(NetNamespace ns, String... command) throws Exception {
        check(ns.processBuilder(List.of(command)), command);
    }

    private static void runHere(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().merge("PATH", "/usr/sbin:/sbin", (path, sbin) -> path + ":" + sbin);
        check(pb, command);
    }

    private static void check(ProcessBuilder pb, String... command) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("cannot set up the test's networks (" + String.join(" ", command) + "): " + out.trim());
        }
    }

    /** A node from the built jar in a namespace, its REST API on the namespace's 127.0.0.1, reached with curl there. */
    private static final class Node implements AutoCloseable {

        private final NetNamespace ns;
        private final Path dataDir;
        private final Path log;
        private final Process process;
        private final String id;

        private Node(NetNamespace ns, Path dataDir, Path log, Process process) throws Exception {
            this.ns = ns;
            this.dataDir = dataDir;
            this.log = log;
            this.process = process;
            try {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> {
                            if (!process.isAlive()) {
                                throw new AssertionError("the node exited; see " + log);
                            }
                            return status().has("deviceId");
                        });
                this.id = status().get("deviceId").asString();
            } catch (RuntimeException | AssertionError e) {
                close();
                throw e;
            }
        }

        static Node start(NetNamespace ns, Path dataDir, String name, String... args) throws Exception {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("node.log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(),
                    "--server.port=" + REST_PORT, "--server.address=127.0.0.1",
                    "--p2psync.data-dir=" + dataDir.toAbsolutePath(), "--p2psync.device-name=" + name,
                    "--p2psync.libp2p.enabled=true", "--p2psync.libp2p.host=0.0.0.0",
                    "--p2psync.libp2p.port=" + LIBP2P_PORT, "--p2psync.libp2p.quic=false",
                    "--p2psync.libp2p.mdns=false", "--no-console", "--logging.level.io.p2psync.p2p.dcutr=DEBUG",
                    "--p2psync.libp2p.autonat.retry-interval=2s"));
            command.addAll(List.of(args));
            Process process = ns.processBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new Node(ns, dataDir, log, process);
        }

        String id() {
            return id;
        }

        JsonNode status() throws Exception {
            return JSON.readTree(curl("GET", "/status", null));
        }

        /** What AutoNAT found: UNKNOWN, PUBLIC or PRIVATE. */
        String reachability() throws Exception {
            JsonNode r = status().get("reachability");
            return r == null || r.isNull() ? null : r.asString();
        }

        /** The DHT's mode: server or client. */
        String dht() throws Exception {
            JsonNode d = status().get("dht");
            return d == null || d.isNull() ? null : d.asString();
        }

        List<String> listenAddrs() throws Exception {
            return status().get("listenAddrs").values().stream().map(JsonNode::asString).toList();
        }

        void authorize(String device, String name) throws Exception {
            String answer = curl("POST", "/devices", "{\"deviceId\":\"" + device + "\",\"name\":\"" + name + "\"}");
            assertThat(answer).contains("\"authorized\":true");
        }

        void put(String key, String value) throws Exception {
            curl("PUT", "/kv/" + key, value);
        }

        java.util.Optional<String> get(String key) throws Exception {
            String answer = curl("GET", "/kv/" + key, null);
            return answer.contains("\"value\"") ? java.util.Optional.of(JSON.readTree(answer).get("value").asString())
                    : java.util.Optional.empty();
        }

        /** Every row of {@code table}, ordered, as sqlite3 prints them. */
        String table(String name) throws Exception {
            Process p = new ProcessBuilder("sqlite3", "-readonly", dataDir.resolve("p2psync.db").toString(),
                    "SELECT * FROM " + name + " ORDER BY 1").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        private String curl(String method, String path, String body) throws Exception {
            List<String> command = new ArrayList<>(List.of("curl", "-s", "-m", "10", "-X", method,
                    "http://127.0.0.1:" + REST_PORT + path));
            if (body != null) {
                command.addAll(List.of("--data-binary", body));
            }
            if (body != null && body.startsWith("{")) {
                command.addAll(List.of("-H", "Content-Type: application/json"));
            }
            Process p = ns.processBuilder(command).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(15, TimeUnit.SECONDS);
            return out;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
