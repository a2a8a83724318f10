package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A 50 MB file from A to C over libp2p; C is stopped half way (its node closed, the connection cut) and started
 * again on the same data dir and ports: the transfer resumes where C's bytes stopped and ends with the right
 * SHA-256 in C's data dir.
 */
class FileTransferIT {

    private static final long SIZE = 50L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private MessagingTestNode a;
    private MessagingTestNode c;

    @AfterEach
    void stop() {
        for (MessagingTestNode n : new MessagingTestNode[] {a, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void resumesAFileCutHalfWayAndEndsWithItsSha256() throws Exception {
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

        String[] cPorts = {"server.port=" + MessagingTestNode.freePort(),
                "p2psync.libp2p.port=" + MessagingTestNode.freePort()};
        c = MessagingTestNode.start("c", dir.resolve("c"), cPorts);
        a = MessagingTestNode.start("a", dir.resolve("a"));
        a.authorize(c, true);
        c.authorize(a, true);
        await().atMost(WAIT).until(() -> a.connectedTo(c));

        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(a.url + "/files?to=" + c.id + "&name=photos.bin"))
                .POST(HttpRequest.BodyPublishers.ofFile(original)).header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        JsonNode sent = MessagingTestNode.JSON.readTree(posted.body());
        String id = sent.get("id").asString();
        assertThat(sent.get("size").asLong()).isEqualTo(SIZE);
        assertThat(sent.get("sha256").asString()).isEqualTo(sha);

        // C is stopped once about half has arrived
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> bytesDone(c, id) >= SIZE / 2);
        c.close();
        await().atMost(WAIT).until(() -> "INTERRUPTED".equals(transfer(a, id).get("status").asString()));
        long confirmed = transfer(a, id).get("bytesDone").asLong();
        assertThat(confirmed).as("A knows how far C got").isBetween(1L, SIZE - 1);

        c = MessagingTestNode.start("c", dir.resolve("c"), cPorts);
        await().atMost(WAIT).until(() -> "COMPLETE".equals(transfer(c, id).get("status").asString()));
        JsonNode received = transfer(c, id);
        assertThat(received.get("resumedFrom").asLong()).as("C went on from what it had, not from 0")
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
        assertThat(Path.of(done.get("file").asString())).as("the sender's copy goes once C confirmed it").doesNotExist();
    }

    private static JsonNode transfer(MessagingTestNode node, String id) {
        HttpResponse<String> r = node.get("/files/" + id);
        return r.statusCode() == 200 ? MessagingTestNode.JSON.readTree(r.body())
                : MessagingTestNode.JSON.readTree("{\"status\":\"NONE\",\"bytesDone\":0}");
    }

    private static long bytesDone(MessagingTestNode node, String id) {
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
