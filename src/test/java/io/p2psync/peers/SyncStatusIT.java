package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * What {@code GET /peers}, {@code /actuator/health} and {@code /actuator/prometheus} say, checked on real nodes
 * over HTTP. Automatic sync is off, so every round is one this test asks for with {@code /sync/now}. Node a
 * holds its answers to b's pulls at chosen points ({@link PullGate}), so a running round can be looked at
 * between two pages without racing it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncStatusIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path dir;
    private Node a;
    private Node b;

    @BeforeAll
    void start() {
        a = Node.start("a", dir.resolve("a"), List.of(PullGate.class), "p2psync.sync.auto=false",
                "server.address=0.0.0.0");
        b = Node.start("b", dir.resolve("b"), List.of(), "p2psync.sync.auto=false", "p2psync.sync.pull-page-size=1000");
        a.pairWith(b);
        b.pairWith(a);
    }

    @AfterAll
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** Issue 12: after the README walkthrough one peer stayed BEHIND 1 although both held the same entries. */
    @Test
    void aPeerThatPushedItsOwnNewEntryIsInSyncNotBehind() {
        a.put("walk-colour", "blue");
        a.syncNow(); // a's round with b: what b holds is recorded now
        b.put("walk-resolution", "green");
        b.syncNow(); // b pushes its own new entry to a; a runs no round of its own

        assertThat(a.get("/kv/walk-resolution").body()).contains("green");
        JsonNode bAtA = peer(a, b);
        assertThat(bAtA.path("status").asString()).as("a's view of b: %s", bAtA).isEqualTo("IN_SYNC");
        assertThat(bAtA.path("behind").asLong()).isZero();
    }

    @Test
    void aLargeRoundShowsMovingProgressThenInSyncWithItsCountsInPrometheusAndHealthUp() throws Exception {
        b.syncNow(); // start from a peer that is in sync
        double pulledBefore = metric(b, "p2psync_entries_pulled_total", "peer=\"" + a.id + "\"");
        double roundsBefore = metric(b, "p2psync_sync_rounds_total", "outcome=\"ok\",peer=\"" + a.id + "\"");
        int rows = 3000;
        writeRows(a, rows);
        PullGate gate = a.context.getBean(PullGate.class);
        gate.holdAnswers(2, 3); // pages of 1,000: a answers the first, then holds the next two until released

        CompletableFuture<HttpResponse<String>> round = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(b.url + "/sync/now")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        gate.awaitHeld(); // b asked for page 2 while it applied page 1, which it finishes meanwhile
        await().atMost(Duration.ofSeconds(60)).until(() -> peer(b, a).path("progress").path("done").asLong() >= 1000);
        JsonNode first = peer(b, a);
        gate.release();
        gate.awaitHeld();
        await().atMost(Duration.ofSeconds(60)).until(() -> peer(b, a).path("progress").path("done").asLong() >= 2000);
        JsonNode second = peer(b, a);
        gate.release();

        assertThat(first.path("syncing").asBoolean()).isTrue();
        JsonNode p1 = first.path("progress");
        JsonNode p2 = second.path("progress");
        assertThat(p1.path("total").asLong()).as("progress %s", p1).isEqualTo(rows);
        assertThat(p1.path("done").asLong()).isPositive().isLessThan(rows);
        assertThat(p2.path("done").asLong()).as("progress moves: %s then %s", p1, p2)
                .isGreaterThan(p1.path("done").asLong()).isLessThan(rows);
        assertThat(p2.path("perSecond").asDouble()).isPositive();
        assertThat(p2.path("secondsLeft").isNumber()).isTrue();
        assertThat(p2.path("trigger").asString()).isEqualTo("MANUAL");

        HttpResponse<String> answer = round.get(120, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode result = new Node.Response(200, "application/json", "", answer.body().getBytes()).json().get(0);
        assertThat(result.path("pulled").asInt()).isEqualTo(rows);
        assertThat(result.path("error").isNull()).isTrue();

        JsonNode after = peer(b, a);
        assertThat(after.path("status").asString()).as("b's view of a: %s", after).isEqualTo("IN_SYNC");
        assertThat(after.path("behind").asLong()).isZero();
        assertThat(after.path("refused").asInt()).isZero();
        assertThat(after.path("syncing").asBoolean()).isFalse();
        assertThat(after.path("progress").isNull()).isTrue();

        assertThat(metric(b, "p2psync_entries_pulled_total", "peer=\"" + a.id + "\"") - pulledBefore)
                .isEqualTo(rows);
        assertThat(metric(b, "p2psync_sync_rounds_total", "outcome=\"ok\",peer=\"" + a.id + "\"") - roundsBefore)
                .isEqualTo(1);
        assertThat(metric(b, "p2psync_entries_applied_total", "")).isGreaterThanOrEqualTo(rows);
        assertThat(metric(b, "p2psync_capture_lag_milliseconds", "")).isGreaterThanOrEqualTo(0);

        Node.Response health = b.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("sync").path("status").asString()).isEqualTo("UP");
    }

    @Test
    void metricsFollowTheAdminRuleAndHealthDetailsAreForAdminsOnly() throws Exception {
        String token = a.context.getBean(io.p2psync.devices.AdminSettings.class).adminToken();
        String adminToken = token != null ? token
                : java.nio.file.Files.readString(dir.resolve("a").resolve("admin.token")).strip();
        String remote = nonLoopbackUrl(a);

        assertThat(a.get("/actuator/prometheus").status()).as("loopback").isEqualTo(200);
        assertThat(a.get("/actuator/metrics/p2psync.entries.applied").status()).isEqualTo(200);
        assertThat(status(remote + "/actuator/prometheus", null)).as("remote without the token").isEqualTo(401);
        assertThat(status(remote + "/actuator/metrics", null)).isEqualTo(401);
        assertThat(status(remote + "/actuator/metrics/p2psync.entries.applied", null)).isEqualTo(401);
        assertThat(status(remote + "/actuator/prometheus", "Bearer " + adminToken)).isEqualTo(200);

        Node.Response remoteHealth = Node.send(HttpRequest.newBuilder(URI.create(remote + "/actuator/health")).GET());
        assertThat(remoteHealth.status()).isEqualTo(200);
        assertThat(remoteHealth.json().has("components")).as("no details for others: %s", remoteHealth).isFalse();
        assertThat(a.get("/actuator/health").json().path("components").path("sync").path("details")
                .has("pairedPeers")).as("details for loopback").isTrue();
    }

    @Test
    void healthIsDownWithAReasonWhenTheOnlyPeerKeepsFailing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (Node lonely = Node.start("lonely", dir.resolve("lonely"), List.of(), "p2psync.sync.auto=false",
                "p2psync.health.failing-threshold=1ms")) {
            String dead = PrivateKey.generate().peerId().toString();
            assertThat(lonely.post("/devices", "{\"deviceId\":\"" + dead + "\",\"name\":\"gone\",\"url\":"
                    + "\"http://127.0.0.1:" + closed + "\"}").status()).isEqualTo(201);
            assertThat(lonely.get("/actuator/health").json().path("status").asString()).isEqualTo("UP");

            JsonNode round = lonely.syncNow().get(0);
            assertThat(round.path("error").asString()).isNotEmpty();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Node.Response health = lonely.get("/actuator/health");
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.json().path("status").asString()).isEqualTo("DOWN");
                assertThat(health.json().path("components").path("sync").path("details").path("reason").asString())
                        .contains("every paired peer");
            });
        }
    }

    // ---- helpers

    private static void writeRows(Node n, int rows) {
        JdbcClient jdbc = n.context.getBean(JdbcClient.class);
        long before = n.context.getBean(ChangeTracker.class).count();
        for (int i = 0; i < rows; i++) {
            jdbc.sql("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)")
                    .params("bulk-" + i, "value " + i, java.time.Instant.now().toString()).update();
        }
        n.context.getBean(ChangeTracker.class).sealPending();
        await().atMost(Duration.ofSeconds(60)).until(() -> n.context.getBean(ChangeTracker.class).count() >= before + rows);
    }

    private static JsonNode peer(Node at, Node peer) {
        Node.Response r = at.get("/peers");
        for (JsonNode p : r.json()) {
            if (peer.id.toString().equals(p.path("key").asString())) {
                return p;
            }
        }
        throw new AssertionError(at + " does not list " + peer + ": " + r);
    }

    /** The value of one series in the Prometheus text, 0 if absent. */
    private static double metric(Node n, String name, String labels) {
        Node.Response r = n.get("/actuator/prometheus");
        assertThat(r.status()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)\\})? ([0-9.eE+-]+)$").matcher(r.body());
        while (m.find()) {
            String found = m.group(2) == null ? "" : m.group(2);
            if (found.contains(labels)) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    private static int status(String url, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Node.send(request).status();
    }

    /** The node's url at an address of this machine that is not loopback. */
    private static String nonLoopbackUrl(Node n) throws Exception {
        String port = n.url.substring(n.url.lastIndexOf(':') + 1);
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (var address : java.util.Collections.list(nif.getInetAddresses())) {
                if (address instanceof java.net.Inet4Address) {
                    return "http://" + address.getHostAddress() + ":" + port;
                }
            }
        }
        throw new org.opentest4j.TestAbortedException("this machine has no non-loopback IPv4 address");
    }

    /**
     * Holds node a's answers to chosen {@code POST /sync/pull} requests (counted from 1 after {@link #holdAnswers})
     * until the test releases each, so b's round can be looked at between two pages.
     */
    @Configuration(proxyBeanMethods = false)
    static class PullGate extends OncePerRequestFilter {

        private final AtomicInteger pulls = new AtomicInteger();
        private final Semaphore held = new Semaphore(0);
        private final Semaphore released = new Semaphore(0);
        private volatile List<Integer> marks = List.of();

        void holdAnswers(Integer... at) {
            pulls.set(0);
            marks = List.of(at);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if ("/sync/pull".equals(request.getRequestURI()) && marks.contains(pulls.incrementAndGet())) {
                held.release();
                try {
                    if (!released.tryAcquire(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the pull");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            chain.doFilter(request, response);
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.tryAcquire(60, TimeUnit.SECONDS)).as("the pull reached the mark").isTrue();
        }

        void release() {
            released.release();
        }
    }
}
