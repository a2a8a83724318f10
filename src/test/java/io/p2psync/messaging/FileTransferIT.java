package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.JarNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A 50 MB file from A to C over libp2p, with C a node of its own OS process (the built jar): when about half has
 * arrived C is killed with SIGKILL (no shutdown of any kind, the connection just dies), then started again on the
 * same data dir and ports. The transfer resumes where C's bytes on disk stopped and ends with the right SHA-256
 * in C's data dir.
 */
class FileTransferIT {

    private static final long SIZE = 50L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir
    Path dir;
    private MessagingTestNode a;
    private JarNode c;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (c != null) {
            c.close();
        }
    }

    @Test
    void resumesAFileWhoseReceiverWasKilledHalfWayAndEndsWithItsSha256() throws Exception {
        Path original = dir.resolve("original.bin");
        byte[] block = new byte[1024 * 1024];
        Random random = new Random(42);
        try (var out = Files.newOutputStream(original)) {
            for (int i = 0; i < SIZE / block.length; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        String sha = sha256(original);

        int cP2p = MessagingTestNode.freePort();
        c = new JarNode("c", dir.resolve("c"), List.of("-Xmx256m"), List.of(
                "--p2psync.libp2p.enabled=true",
                "--p2psync.libp2p.host=127.0.0.1",
                "--p2psync.libp2p.port=" + cP2p,
                "--p2psync.libp2p.quic=false",
                "--p2psync.libp2p.mdns=false",
                "--p2psync.libp2p.dht.enabled=false"));
        c.start().awaitUp();
        PeerId cId = PeerId.parse(c.deviceId());
        a = MessagingTestNode.start("a", dir.resolve("a"));
        pair(a.url, cId.toString(), "c", c.url());
        pair(c.url(), a.id.toString(), "a", a.url);
        await().atMost(WAIT).until(() -> a.host().isConnected(cId));

        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(a.url + "/files?to=" + cId + "&name=photos.bin"))
                .POST(HttpRequest.BodyPublishers.ofFile(original)).header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        JsonNode sent = MessagingTestNode.JSON.readTree(posted.body());
        String id = sent.get("id").asString();
        assertThat(sent.get("size").asLong()).isEqualTo(SIZE);
        assertThat(sent.get("sha256").asString()).isEqualTo(sha);

        // C is killed once about half has arrived
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> bytesDone(c, id) >= SIZE / 2);
        c.kill9();
        await().atMost(WAIT).until(() -> "INTERRUPTED".equals(transfer(a, id).get("status").asString()));
        long confirmed = transfer(a, id).get("bytesDone").asLong();
        assertThat(confirmed).as("A knows how far C got").isBetween(1L, SIZE - 1);

        c.start().awaitUp();
        assertThat(c.deviceId()).isEqualTo(cId.toString());
        await().atMost(WAIT).until(() -> "COMPLETE".equals(transfer(c, id).get("status").asString()));
        JsonNode received = transfer(c, id);
        assertThat(received.get("resumedFrom").asLong()).as("C went on from what it had on disk, not from 0")
                .isBetween(SIZE / 2, SIZE - 1);
        assertThat(received.get("sha256").asString()).isEqualTo(sha);
        Path file = Path.of(received.get("file").asString());
        assertThat(file).startsWith(dir.resolve("c")).hasFileName("photos.bin");
        assertThat(Files.size(file)).isEqualTo(SIZE);
        assertThat(sha256(file)).isEqualTo(sha);
        await().atMost(WAIT).until(() -> "COMPLETE".equals(transfer(a, id).get("status").asString()));
        JsonNode done = transfer(a, id);
        assertThat(done.get("bytesDone").asLong()).isEqualTo(SIZE);
        assertThat(done.get("finishedAt").isNull()).isFalse();
        assertThat(done.get("via").isNull()).as("sent directly").isTrue();
        assertThat(Path.of(done.get("file").asString())).as("the sender's copy goes once C confirmed it").doesNotExist();
    }

    /** Authorizes a device, with its url, on the node at {@code url}. */
    private static void pair(String url, String deviceId, String name, String deviceUrl) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/devices"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"" + deviceId + "\",\"name\":\"" + name
                        + "\",\"url\":\"" + deviceUrl + "\"}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode() / 100).as(r.body()).isEqualTo(2);
    }

    private static JsonNode transfer(MessagingTestNode node, String id) {
        return parse(node.get("/files/" + id));
    }

    private static JsonNode transfer(JarNode node, String id) {
        return node.alive() ? parse(node.get("/files/" + id)) : parse(null);
    }

    private static JsonNode parse(HttpResponse<String> r) {
        return r != null && r.statusCode() == 200 ? MessagingTestNode.JSON.readTree(r.body())
                : MessagingTestNode.JSON.readTree("{\"status\":\"NONE\",\"bytesDone\":0}");
    }

    private static long bytesDone(JarNode node, String id) {
        return transfer(node, id).get("bytesDone").asLong();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
