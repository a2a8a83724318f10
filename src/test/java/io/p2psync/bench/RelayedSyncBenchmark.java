package io.p2psync.bench;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Relayed against direct libp2p sync (docs/benchmarks.md, "Circuit relay: relayed and direct sync"): node A holds N
 * kv rows and a reservation on relay node R; a fresh node B pulls them all in one initial round over the libp2p sync
 * protocol, once on a direct connection to A and once on a circuit through R, all on 127.0.0.1 in this JVM. The REST
 * endpoints of A and B answer on 127.0.0.2, where the url each learns from the other is not, so the rounds run over
 * libp2p. B is connected to A first; the time runs from B authorizing A (which starts B's catch-up round with A)
 * until B's {@code sync_kv} holds every row. Rounds: direct (cold JVM, for reference), relayed, direct, relayed;
 * the rate of each is printed.
 *
 * <p>Arguments: {@code [rows=20000]}.
 */
public final class RelayedSyncBenchmark {

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path work = Files.createTempDirectory("p2psync-relay-bench");
        List<String> report = new ArrayList<>();
        try (Node relay = Node.start("r", work.resolve("r"), props());
             Node a = Node.start("a", work.resolve("a"), props("server.address=127.0.0.2", "p2psync.capture-poll=1h",
                     "p2psync.libp2p.relay.reserve-on=" + listenAddrs(relay).get(0),
                     "p2psync.libp2p.relay.retry-interval=500ms"))) {
            authorize(relay, a.id);
            writeRows(a, rows);
            String direct = listenAddrs(a).get(0);
            String circuit = waitForCircuitAddress(a);
            String[] kinds = {"direct (cold JVM)", "relayed", "direct", "relayed"};
            for (int round = 0; round < kinds.length; round++) {
                boolean relayed = kinds[round].startsWith("relayed");
                // B's key is made first, so that R and A know B before it dials (R relays for authorized devices)
                Path bDir = work.resolve("b" + round);
                PeerId bId = DeviceIdentity.loadOrCreate(bDir).deviceId();
                authorize(relay, bId);
                authorize(a, bId);
                try (Node b = Node.start("b" + round, bDir, props("server.address=127.0.0.2",
                        "p2psync.libp2p.peers=" + (relayed ? circuit : direct)))) {
                    waitForConnection(b, a);
                    // B's catch-up with A on authorizing it is the measured round: it pulls every row
                    long start = System.nanoTime();
                    authorize(b, a.id);
                    waitForRows(b, rows);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    JsonNode connection = connectionTo(b, a);
                    String transport = connection == null ? "none" : connection.get("transport").asString();
                    if (relayed != transport.equals("relayed")) {
                        throw new IllegalStateException("round " + kinds[round] + " ran on a " + transport
                                + " connection");
                    }
                    String line = String.format("%-18s initial sync of %,d rows over libp2p (%s): %.1f s, %,.0f rows/s",
                            kinds[round], rows, transport, seconds, rows / seconds);
                    System.out.println("[bench] " + line);
                    report.add(line);
                }
            }
        }
        System.out.println();
        System.out.println("Relayed sync benchmark, " + Runtime.getRuntime().availableProcessors() + " cpus, Java "
                + System.getProperty("java.version") + ", load average at end " + RestSyncBenchmark.loadAverage());
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static String[] props(String... more) {
        List<String> props = new ArrayList<>(List.of("logging.level.io.p2psync=WARN", "p2psync.sync.auto=false",
                "p2psync.libp2p.enabled=true", "p2psync.libp2p.host=127.0.0.1", "p2psync.libp2p.port=0",
                "p2psync.libp2p.mdns=false", "p2psync.libp2p.quic=false",
                // the relayed rounds stay relayed: hole punching would move them onto a direct connection
                "p2psync.libp2p.dcutr.enabled=false", "p2psync.libp2p.dht.enabled=false"));
        props.addAll(List.of(more));
        return props.toArray(String[]::new);
    }

    /** The node's REST base url, on the address it listens on (127.0.0.2 for A and B). */
    private static String base(Node node) {
        var env = node.context.getEnvironment();
        return "http://" + env.getProperty("server.address") + ":" + env.getProperty("local.server.port");
    }

    private static Node.Response get(Node node, String path) {
        return Node.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base(node) + path)).GET());
    }

    private static Node.Response post(Node node, String path, String json) {
        return Node.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base(node) + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json"));
    }

    /** {@code on} adds and authorizes {@code device} by id alone (no url). */
    private static void authorize(Node on, PeerId device) {
        Node.Response r = post(on, "/devices", "{\"deviceId\":\"" + device + "\",\"name\":\"" + device + "\"}");
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("authorizing failed: " + r);
        }
    }

    private static List<String> listenAddrs(Node node) {
        return StreamSupport.stream(get(node, "/status").json().get("listenAddrs").spliterator(), false)
                .map(JsonNode::asString).toList();
    }

    private static String waitForCircuitAddress(Node node) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            for (String a : listenAddrs(node)) {
                if (a.contains("/p2p-circuit/")) {
                    return a;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(node + " holds no reservation after 60 s");
    }

    private static JsonNode connectionTo(Node node, Node peer) {
        return StreamSupport.stream(get(node, "/status").json().get("connections").spliterator(), false)
                .filter(c -> c.get("peer").asString().equals(peer.id.toString())).findFirst().orElse(null);
    }

    private static void waitForConnection(Node node, Node peer) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (connectionTo(node, peer) == null) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(node + " did not connect to " + peer);
            }
            Thread.sleep(200);
        }
    }

    private static void waitForRows(Node node, int rows) throws Exception {
        javax.sql.DataSource ds = node.context.getBean(javax.sql.DataSource.class);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
            try (Connection c = ds.getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM sync_kv")) {
                if (rs.next() && rs.getInt(1) >= rows) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(node + " did not get " + rows + " rows within 10 minutes");
    }

    /** Rows 0..n-1 into A's sync_kv, 5,000 per transaction, sealed after each (as in RestSyncBenchmark). */
    private static void writeRows(Node node, int n) throws Exception {
        javax.sql.DataSource ds = node.context.getBean(javax.sql.DataSource.class);
        String ts = Instant.now().toString();
        for (int from = 0; from < n; from += 5_000) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)")) {
                    for (int i = from; i < Math.min(n, from + 5_000); i++) {
                        ps.setString(1, "key-" + i);
                        ps.setString(2, "value " + i + " of the relayed sync benchmark, some sixty characters long");
                        ps.setString(3, ts);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
            node.context.getBean(ChangeTracker.class).sealPending();
        }
    }
}
