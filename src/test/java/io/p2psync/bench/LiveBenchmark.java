package io.p2psync.bench;

import io.p2psync.P2pSyncApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live propagation benchmark (docs/benchmarks.md, "Live propagation"): two real nodes in this JVM, paired by
 * url, connected over libp2p on loopback. For each of N writes it measures the time from sending
 * {@code PUT /kv/<key>} to node A until {@code GET /kv/<key>} on node B answers the new value, polling B
 * over HTTP without pause; then reports p50, p90, p99 and max. Writes are sequential (the next starts once
 * the previous one has arrived), so this is latency, not throughput. The gossip rate limit is raised for the
 * run, since the default (100 per minute per peer) is meant for a person's writes, not a benchmark. The N writes
 * are measured twice: as the node's first writes, and again after {@code bench.hot-writes} (5,000) more, once the
 * JIT has compiled the path, as on a node that has been running for a while.
 *
 * <p>Each run is measured in two ways, alternating write by write. By GET as above; and as B's app sees it: B's
 * SQLite file read by key on a read-only connection of its own, with a 50 µs pause between reads, until the value
 * is there. A GET polled without pause is an HTTP request to B every millisecond or two, and with both nodes on
 * two cores it takes CPU from the path it measures (the GET's own round trip is in the figure too); a read of the
 * file is one indexed SELECT.
 *
 * <p>Arguments: {@code [writes=500] [warm-up=100]}.
 */
public final class LiveBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The writes between the two measured runs: enough for the JIT to compile the write and apply paths. */
    private static final int HOT_WRITES = Integer.getInteger("bench.hot-writes", 5_000);
    /** Writes of the burst ({@code -Dbench.burst=N}) and the clients that send them at once. */
    private static final int BURST = Integer.getInteger("bench.burst", 4_000);
    private static final int BURST_CLIENTS = 4;

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        if (writes < 2) {
            throw new IllegalArgumentException("at least 2 writes: every other one is timed each way");
        }
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path work = Files.createTempDirectory("p2psync-live-bench");
        try (ConfigurableApplicationContext a = start("a", work.resolve("a"));
             ConfigurableApplicationContext b = start("b", work.resolve("b"))) {
            String urlA = url(a);
            String urlB = url(b);
            pair(urlA, urlB);
            pair(urlB, urlA);

            long deadline = System.nanoTime() + 30_000_000_000L;
            while (propagate(urlA, urlB, "warm-up-probe", "probe") < 0) { // wait for the connection and mesh
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the nodes did not connect within 30 s");
                }
            }
            for (int i = 0; i < warmUp; i++) {
                propagate(urlA, urlB, "warm-" + i, "w" + i);
            }
            org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
            readOnly.setReadOnly(true);
            try (Connection fileB = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("b/p2psync.db"),
                    readOnly.toProperties())) {
                long[][] cold = measure(urlA, urlB, fileB, writes, "bench-");
                // A node runs for days: once its code is compiled (some thousands of writes) the path is faster.
                for (int i = 0; i < HOT_WRITES; i++) {
                    propagate(urlA, urlB, "hot-" + i, "h" + i);
                }
                long[][] warm = measure(urlA, urlB, fileB, writes, "warm-bench-");
                System.out.println();
                System.out.printf("Live propagation A->B, %d writes after %d warm-up, %d cpus, Java %s%n", writes,
                        warmUp, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
                print("PUT on A -> readable by GET on B, the node's first writes", cold[0]);
                print("PUT on A -> readable in B's file, the node's first writes", cold[1]);
                print("PUT on A -> readable by GET on B, after " + HOT_WRITES + " more writes", warm[0]);
                print("PUT on A -> readable in B's file, after " + HOT_WRITES + " more writes", warm[1]);
                burst(urlA, fileB, a.getBean(io.micrometer.core.instrument.MeterRegistry.class),
                        b.getBean(io.micrometer.core.instrument.MeterRegistry.class));
            }
            System.out.printf("PUT round trip alone on A (for comparison): median %.2f ms%n", putOnlyMedian(urlA));
        }
        System.exit(0);
    }

    /**
     * A burst: {@value #BURST} {@code PUT}s to A from {@value #BURST_CLIENTS} clients at once, as fast as A takes
     * them, each a group of its own gossiped alone. Prints how fast A took them, when B's file held them all, and
     * how B's gossip counters moved (applied, and dropped for B's apply queue, which a REST catch-up then fetches).
     */
    private static void burst(String urlA, Connection fileB, io.micrometer.core.instrument.MeterRegistry metricsA,
            io.micrometer.core.instrument.MeterRegistry metricsB) throws Exception {
        double resets0 = function(metricsA, "p2psync.gossip.outbound-resets");
        double received0 = count(metricsB, "p2psync.gossip.received");
        double applied0 = count(metricsB, "p2psync.gossip.applied");
        double dropped0 = count(metricsB, "p2psync.gossip.dropped");
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(BURST_CLIENTS);
        long start = System.nanoTime();
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int c = 0; c < BURST_CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int i = client; i < BURST; i += BURST_CLIENTS) {
                        put(urlA, "burst-" + i, "b" + i);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        long written = System.nanoTime();
        try (PreparedStatement count = fileB.prepareStatement("SELECT COUNT(*) FROM sync_kv WHERE key LIKE 'burst-%'")) {
            long have = 0;
            while (System.nanoTime() - written < 120_000_000_000L) {
                try (ResultSet rs = count.executeQuery()) {
                    have = rs.next() ? rs.getLong(1) : 0;
                }
                if (have == BURST) {
                    break;
                }
                LockSupport.parkNanos(200_000);
            }
            long arrived = System.nanoTime();
            if (have != BURST) {
                throw new IllegalStateException("B holds " + have + " of the " + BURST + " burst writes after 120 s");
            }
            System.out.printf("Burst: %,d PUTs on A from %d clients in %.2f s (%,.0f writes/s); all in B's file %.2f s"
                            + " after the first, %.0f ms after A took the last; B applied %,.0f by gossip, dropped %,.0f"
                            + " (the rest came by a REST catch-up; B's drops since its start by reason: %s); B received"
                            + " %,.0f messages; A reset %,.0f gossip streams for back-pressure%n", BURST, BURST_CLIENTS, (written - start) / 1e9,
                    BURST / ((written - start) / 1e9), (arrived - start) / 1e9, (arrived - written) / 1e6,
                    count(metricsB, "p2psync.gossip.applied") - applied0, count(metricsB, "p2psync.gossip.dropped") - dropped0,
                    byReason(metricsB, "p2psync.gossip.dropped"), count(metricsB, "p2psync.gossip.received") - received0,
                    function(metricsA, "p2psync.gossip.outbound-resets") - resets0);
        }
    }

    /** The counters named {@code name}, by their {@code reason} tag, those above zero. */
    private static String byReason(io.micrometer.core.instrument.MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().filter(c -> c.count() > 0)
                .map(c -> c.getId().getTag("reason") + " " + (long) c.count())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The value of the function counter {@code name} in {@code registry}, 0 if it has none. */
    private static double function(io.micrometer.core.instrument.MeterRegistry registry, String name) {
        return registry.find(name).functionCounters().stream()
                .mapToDouble(io.micrometer.core.instrument.FunctionCounter::count).sum();
    }

    /** The sum of every counter named {@code name} (all tags) in {@code registry}. */
    private static double count(io.micrometer.core.instrument.MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** {@code writes} writes, alternately seen by GET on B and in B's file: the two sets of times, sorted. */
    private static long[][] measure(String urlA, String urlB, Connection fileB, int writes, String prefix)
            throws Exception {
        long[] byGet = new long[(writes + 1) / 2];
        long[] inFile = new long[writes / 2];
        for (int i = 0; i < writes; i++) {
            long nanos = i % 2 == 0
                    ? propagate(urlA, urlB, prefix + i, "value-" + i)
                    : propagateToFile(urlA, fileB, prefix + i, "value-" + i);
            if (nanos < 0) {
                throw new IllegalStateException("write " + i + " did not arrive within 10 s");
            }
            if (i % 2 == 0) {
                byGet[i / 2] = nanos;
            } else {
                inFile[i / 2] = nanos;
            }
        }
        Arrays.sort(byGet);
        Arrays.sort(inFile);
        return new long[][] {byGet, inFile};
    }

    /** Nanoseconds from sending the PUT on {@code a} until B's file holds the value; -1 after 10 s. */
    private static long propagateToFile(String a, Connection fileB, String key, String value) throws Exception {
        try (PreparedStatement read = fileB.prepareStatement("SELECT value FROM sync_kv WHERE key = ?")) {
            read.setString(1, key);
            long start = System.nanoTime();
            put(a, key, value);
            while (System.nanoTime() - start < 10_000_000_000L) {
                try (ResultSet rs = read.executeQuery()) {
                    if (rs.next() && value.equals(rs.getString(1))) {
                        return System.nanoTime() - start;
                    }
                }
                LockSupport.parkNanos(50_000);
            }
            return -1;
        }
    }

    private static void print(String what, long[] sorted) {
        System.out.printf("%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, pct(sorted, 50),
                pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    private static ConfigurableApplicationContext start(String name, Path dir) {
        return new SpringApplicationBuilder(P2pSyncApplication.class).run(
                "--p2psync.data-dir=" + dir, "--p2psync.device-name=" + name, "--server.port=0",
                "--server.address=127.0.0.1", "--p2psync.libp2p.host=127.0.0.1", "--p2psync.libp2p.port=0",
                "--p2psync.libp2p.enabled=true", "--p2psync.libp2p.mdns=false",
                "--p2psync.libp2p.rate-limit=1000000",
                "--logging.level.io.p2psync=WARN", "--spring.main.banner-mode=off");
    }

    private static String url(ConfigurableApplicationContext c) {
        return "http://127.0.0.1:" + c.getEnvironment().getProperty("local.server.port");
    }

    private static void pair(String from, String to) throws Exception {
        String id = JSON.readTree(get(to + "/status").body()).get("deviceId").asString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(from + "/devices"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"" + id + "\",\"url\":\"" + to + "\"}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("pairing failed: " + r.statusCode() + " " + r.body());
        }
    }

    /** Nanoseconds from sending the PUT on {@code a} until {@code b} answers the value; -1 after 10 s. */
    private static long propagate(String a, String b, String key, String value) throws Exception {
        long start = System.nanoTime();
        put(a, key, value);
        String expected = "\"value\":\"" + value + "\"";
        while (System.nanoTime() - start < 10_000_000_000L) {
            HttpResponse<String> r = get(b + "/kv/" + key);
            if (r.statusCode() == 200 && r.body().contains(expected)) {
                return System.nanoTime() - start;
            }
        }
        return -1;
    }

    private static double putOnlyMedian(String a) throws Exception {
        long[] nanos = new long[101];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            put(a, "put-only-" + i, "x");
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    private static void put(String base, String key, String value) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).header("Content-Type", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT failed: " + r.statusCode());
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, i)] / 1e6;
    }
}
