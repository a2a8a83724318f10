package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PeerId;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three real nodes: A sends a file to C while C is down; B holds it; A goes away; C comes back and gets it from
 * B, whole and checked, once; A, back, learns from the receipt B carried that C has it. B knows everyone's url;
 * A and C know each other by id only, so neither dials the other by itself.
 */
class FileStoreAndForwardIT {

    private static final long SIZE = 6L * 1024 * 1024 + 12_345; // not a whole number of chunks
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private MessagingTestNode a;
    private MessagingTestNode b;
    private MessagingTestNode c;

    @AfterEach
    void stop() {
        for (MessagingTestNode n : new MessagingTestNode[] {a, b, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void aFileForAnOfflineDeviceIsHeldByARelayDeliveredOnceAndItsReceiptReachesTheSender() throws Exception {
        Path original = dir.resolve("original.bin");
        byte[] bytes = new byte[(int) SIZE];
        new Random(16).nextBytes(bytes);
        Files.write(original, bytes);
        String sha = sha256(original);

        // A's own retries are slowed down, so that it learns of the delivery from B's receipt, not by finding C
        String[] aProps = {"server.port=" + MessagingTestNode.freePort(),
                "p2psync.libp2p.port=" + MessagingTestNode.freePort(), "p2psync.messaging.retry-interval=10m"};
        String[] cProps = {"server.port=" + MessagingTestNode.freePort(),
                "p2psync.libp2p.port=" + MessagingTestNode.freePort()};
        b = MessagingTestNode.start("b", dir.resolve("b"));
        c = MessagingTestNode.start("c", dir.resolve("c"), cProps);
        a = MessagingTestNode.start("a", dir.resolve("a"), aProps);
        PeerId aId = a.id;
        a.authorize(b, true);
        a.authorize(c, false);
        b.authorize(a, true);
        b.authorize(c, true);
        c.authorize(a, false);
        c.authorize(b, true);
        await().atMost(WAIT).until(() -> a.connectedTo(b) && b.connectedTo(c));

        c.close();
        await().atMost(WAIT).until(() -> !b.connectedTo(c));
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(a.url + "/files?to=" + c.id + "&name=notes.bin"))
                .POST(HttpRequest.BodyPublishers.ofFile(original)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String id = MessagingTestNode.JSON.readTree(posted.body()).get("id").asString();

        // B holds it whole; A shows it STORED at B; B's copy is no transfer of its own
        await().atMost(WAIT).until(() -> "STORED".equals(transfer(a, id, null).get("status").asString()));
        assertThat(transfer(a, id, null).get("via").asString()).isEqualTo(b.id.toString());
        Path held = dir.resolve("b").resolve("files").resolve("relay").resolve(a.id.toString()).resolve(id);
        assertThat(held).exists();
        assertThat(sha256(held)).isEqualTo(sha);
        assertThat(b.get("/files/" + id).statusCode()).as("a relay's copy is not one of its own files").isEqualTo(404);

        // A goes away; C comes back and gets the file from B
        a.close();
        a = null;
        c = MessagingTestNode.start("c", dir.resolve("c"), cProps);
        await().atMost(WAIT).until(() -> "COMPLETE".equals(transfer(c, id, aId).get("status").asString()));
        JsonNode atC = transfer(c, id, aId);
        assertThat(atC.get("via").asString()).as("brought by B").isEqualTo(b.id.toString());
        assertThat(atC.get("from").asString()).isNotEqualTo(b.id.toString());
        assertThat(atC.get("sha256").asString()).isEqualTo(sha);
        Path file = Path.of(atC.get("file").asString());
        assertThat(file).startsWith(dir.resolve("c")).hasFileName("notes.bin");
        assertThat(sha256(file)).isEqualTo(sha);
        JsonNode list = MessagingTestNode.JSON.readTree(c.get("/files?limit=500").body());
        assertThat(list.valueStream().filter(t -> t.get("id").asString().equals(id)).count())
                .as("C keeps exactly one copy").isEqualTo(1);
        try (Stream<Path> received = Files.walk(dir.resolve("c").resolve("files").resolve("received"))) {
            assertThat(received.filter(Files::isRegularFile).count()).isEqualTo(1);
        }
        await().atMost(WAIT).until(() -> !Files.exists(held));

        // A comes back and learns from B that C has it
        a = MessagingTestNode.start("a", dir.resolve("a"), aProps);
        await().atMost(WAIT).until(() -> "COMPLETE".equals(transfer(a, id, null).get("status").asString()));
        JsonNode done = transfer(a, id, null);
        assertThat(done.get("direction").asString()).isEqualTo("out");
        assertThat(done.get("via").asString()).isEqualTo(b.id.toString());
        assertThat(done.get("receivedAt").isNull()).as("C's signed receipt").isFalse();
        assertThat(done.get("bytesDone").asLong()).isEqualTo(SIZE);
        assertThat(Path.of(done.get("file").asString())).as("the sender's copy goes once C confirmed it").doesNotExist();
    }

    /** @param from the origin, or null for any */
    private static JsonNode transfer(MessagingTestNode node, String id, PeerId from) {
        String query = from == null ? "" : "?from=" + from;
        HttpResponse<String> r = node.get("/files/" + id + query);
        return r.statusCode() == 200 ? MessagingTestNode.JSON.readTree(r.body())
                : MessagingTestNode.JSON.readTree("{\"status\":\"NONE\",\"bytesDone\":0}");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
