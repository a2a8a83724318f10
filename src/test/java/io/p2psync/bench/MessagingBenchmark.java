package io.p2psync.bench;

import io.p2psync.P2pSyncApplication;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveNode;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Messaging benchmark (docs/benchmarks.md, "Messaging: finding the target"): three real nodes in this JVM
 * (A, B, C; TCP on 127.0.0.1; A and C know each other by id only, B knows both by url). For each rung of the
 * ladder it sends N messages from A to C, one at a time, set up so that exactly that rung delivers, and
 * reports the time from the message's creation to its ACK as A recorded them ({@code deliveredAt - createdAt},
 * both A's clock, no polling in the figure): open connection; route cache (A-C connection closed before each);
 * PEER_QUERY (connection closed and A's routes forgotten before each). With C stopped it reports the time from
 * {@code POST /messages} until A shows the message STORED at B (polled every millisecond), then the time from
 * C's restart until A has every stored message's ACK.
 *
 * Last, file throughput: a file of M MiB of random bytes from A to C ({@code POST /files}), the wall time from
 * the POST's answer until A shows it COMPLETE (polled every 5 ms), and the rate C's transfer records; then the
 * same file with C stopped: the time until A shows it STORED (held whole at B), and after C's restart the time
 * until C has it whole from B, the rate C records, and the time until B's receipt is back at A.
 *
 * <p>Arguments: {@code [messages-per-rung=30] [file-MiB=50]}.
 */
public final class MessagingBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int fileMiB = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path work = Files.createTempDirectory("p2psync-msg-bench");
        String[] cPorts = {"--server.port=" + freePort(), "--p2psync.libp2p.port=" + freePort()};
        ConfigurableApplicationContext b = start("b", work.resolve("b"));
        ConfigurableApplicationContext c = start("c", work.resolve("c"), cPorts);
        ConfigurableApplicationContext a = start("a", work.resolve("a"));
        try {
            pair(a, b, true);
            pair(a, c, false);
            pair(b, a, true);
            pair(b, c, true);
            pair(c, a, false);
            pair(c, b, true);
            PeerId cId = id(c);
            until(() -> host(a).isConnected(id(b)) && host(b).isConnected(cId), 30);

            host(a).dial(host(c).listenAddresses().get(0).withPeerId(cId)).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) { // warm-up
                delivered(a, send(a, cId, "warm-up " + i));
            }
            long[] direct = new long[n];
            for (int i = 0; i < n; i++) {
                direct[i] = delivered(a, send(a, cId, "direct " + i));
            }
            long[] cached = new long[n];
            for (int i = 0; i < n; i++) {
                disconnect(a, c);
                cached[i] = delivered(a, send(a, cId, "cached " + i));
            }
            long[] asked = new long[n];
            for (int i = 0; i < n; i++) {
                disconnect(a, c);
                HTTP.send(HttpRequest.newBuilder(URI.create(url(a) + "/messages/routes/" + cId)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                asked[i] = delivered(a, send(a, cId, "asked " + i));
            }
            disconnect(a, c);
            c.close();
            until(() -> !host(b).isConnected(cId), 30);
            long[] stored = new long[n];
            String[] ids = new String[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                ids[i] = send(a, cId, "stored " + i);
                String id = ids[i];
                until(() -> "STORED".equals(message(a, id).get("status").asString()), 30);
                stored[i] = System.nanoTime() - t0;
            }
            long t0 = System.nanoTime();
            c = start("c", work.resolve("c"), cPorts);
            long started = System.nanoTime() - t0;
            until(() -> Arrays.stream(ids).allMatch(id -> "DELIVERED".equals(message(a, id).get("status").asString())), 60);
            long drained = System.nanoTime() - t0;

            Path file = work.resolve("file.bin");
            byte[] block = new byte[1024 * 1024];
            java.util.Random random = new java.util.Random(1);
            try (var out = Files.newOutputStream(file)) {
                for (int i = 0; i < fileMiB; i++) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
            HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(url(a) + "/files?to=" + cId
                    + "&name=bench.bin")).POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String fileId = JSON.readTree(posted.body()).get("id").asString();
            long f0 = System.nanoTime();
            ConfigurableApplicationContext cNow = c;
            until(() -> "COMPLETE".equals(transfer(a, fileId).get("status").asString()), 600);
            long fileNanos = System.nanoTime() - f0;
            long receiverRate = transfer(cNow, fileId).get("bytesPerSecond").asLong();

            // the same file through B while C is down: A -> B (held whole, checked), then B -> C once C is back
            c.close();
            until(() -> !host(b).isConnected(cId) && !host(a).isConnected(cId), 30);
            HttpResponse<String> postedHeld = HTTP.send(HttpRequest.newBuilder(URI.create(url(a) + "/files?to=" + cId
                    + "&name=held.bin")).POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String heldId = JSON.readTree(postedHeld.body()).get("id").asString();
            long h0 = System.nanoTime();
            until(() -> "STORED".equals(transfer(a, heldId).get("status").asString()), 600);
            long toRelay = System.nanoTime() - h0;
            long r0 = System.nanoTime();
            c = start("c", work.resolve("c"), cPorts);
            long restarted = System.nanoTime() - r0;
            ConfigurableApplicationContext cBack = c;
            until(() -> "COMPLETE".equals(transfer(cBack, heldId).get("status").asString()), 600);
            long atTarget = System.nanoTime() - r0;
            until(() -> "COMPLETE".equals(transfer(a, heldId).get("status").asString()), 600);
            long receiptBack = System.nanoTime() - r0;
            long relayedRate = transfer(cBack, heldId).get("bytesPerSecond").asLong();

            System.out.println();
            System.out.printf("Messaging A->C, %d messages per rung, %d cpus, Java %s%n", n,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            row("open connection (createdAt -> ACK)", direct);
            row("route cache: dial + send (createdAt -> ACK)", cached);
            row("PEER_QUERY to B, dial, send (createdAt -> ACK)", asked);
            row("C offline: POST -> STORED at B (polled)", stored);
            System.out.printf("C restarted: context start %.0f ms; all %d stored messages acknowledged at A %.0f ms after "
                    + "the restart began%n", started / 1e6, n, drained / 1e6);
            System.out.printf("File of %d MiB A->C (chunks of 128 KiB): POST answered -> COMPLETE at A %.2f s = %.1f MiB/s; "
                    + "C's recorded rate %.1f MiB/s%n", fileMiB, fileNanos / 1e9, fileMiB / (fileNanos / 1e9),
                    receiverRate / 1048576.0);
            System.out.printf("Same file store and forward: POST answered -> STORED (held whole at B) %.2f s = %.1f MiB/s; "
                    + "C restarted (context start %.0f ms) -> COMPLETE at C %.2f s after the restart began, "
                    + "C's recorded rate %.1f MiB/s; receipt back at A %.2f s after the restart began%n",
                    toRelay / 1e9, fileMiB / (toRelay / 1e9), restarted / 1e6, atTarget / 1e9, relayedRate / 1048576.0,
                    receiptBack / 1e9);
        } finally {
            a.close();
            b.close();
            c.close();
        }
        System.exit(0);
    }

    private static void row(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-48s p50 %7.2f ms  p90 %7.2f ms  max %7.2f ms%n", what, pct(s, 50), pct(s, 90), s[s.length - 1] / 1e6);
    }

    private static ConfigurableApplicationContext start(String name, Path dir, String... extra) {
        String[] base = {"--p2psync.data-dir=" + dir, "--p2psync.device-name=" + name, "--server.port=0",
                "--server.address=127.0.0.1", "--p2psync.libp2p.host=127.0.0.1", "--p2psync.libp2p.port=0",
                "--p2psync.libp2p.enabled=true", "--p2psync.libp2p.quic=false", "--p2psync.libp2p.mdns=false",
                "--p2psync.libp2p.dht.enabled=false",
                "--logging.level.io.p2psync=WARN", "--spring.main.banner-mode=off", "--p2psync.console.enabled=false"};
        java.util.List<String> all = new java.util.ArrayList<>(Arrays.asList(base));
        for (String e : extra) {
            String key = e.substring(0, e.indexOf('=') + 1);
            all.removeIf(p -> p.startsWith(key));
            all.add(e);
        }
        return new SpringApplicationBuilder(P2pSyncApplication.class).run(all.toArray(String[]::new));
    }

    private static Host host(ConfigurableApplicationContext c) {
        return c.getBean(LiveNode.class).host().orElseThrow();
    }

    private static PeerId id(ConfigurableApplicationContext c) {
        return c.getBean(DeviceIdentity.class).deviceId();
    }

    private static String url(ConfigurableApplicationContext c) {
        return "http://127.0.0.1:" + c.getEnvironment().getProperty("local.server.port");
    }

    private static void pair(ConfigurableApplicationContext from, ConfigurableApplicationContext to, boolean withUrl)
            throws Exception {
        String body = "{\"deviceId\":\"" + id(to) + "\"" + (withUrl ? ",\"url\":\"" + url(to) + "\"" : "") + "}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url(from) + "/devices"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("pairing failed: " + r.statusCode() + " " + r.body());
        }
    }

    private static void disconnect(ConfigurableApplicationContext a, ConfigurableApplicationContext c) {
        PeerId cId = id(c);
        host(a).disconnect(cId);
        until(() -> !host(a).isConnected(cId) && !host(c).isConnected(id(a)), 30);
    }

    private static String send(ConfigurableApplicationContext from, PeerId to, String text) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url(from) + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + to + "\",\"content\":\"" + text + "\"}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST /messages answered " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asString();
    }

    /** Waits for the ACK; answers deliveredAt - createdAt in nanoseconds (millisecond resolution). */
    private static long delivered(ConfigurableApplicationContext a, String id) {
        JsonNode[] m = new JsonNode[1];
        until(() -> "DELIVERED".equals((m[0] = message(a, id)).get("status").asString()), 30);
        long ms = Instant.parse(m[0].get("deliveredAt").asString()).toEpochMilli()
                - Instant.parse(m[0].get("createdAt").asString()).toEpochMilli();
        return ms * 1_000_000L;
    }

    private static JsonNode message(ConfigurableApplicationContext a, String id) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url(a) + "/messages/" + id)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode transfer(ConfigurableApplicationContext node, String id) {
        try {
            Thread.sleep(4);
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url(node) + "/files/" + id)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void until(BooleanSupplier condition, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + seconds + " s");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, i)] / 1e6;
    }
}
