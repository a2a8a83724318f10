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
            }
            System.out.printf("PUT round trip alone on A (for comparison): median %.2f ms%n", putOnlyMedian(urlA));
        }
        System.exit(0);
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
