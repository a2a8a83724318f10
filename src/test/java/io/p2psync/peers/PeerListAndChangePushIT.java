package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two nodes from the built jar with a 5-minute interval, so anything that arrives sooner came through the
 * push after a local change. Node a also has configured peers (one by url, one by device id that is down)
 * and reads its tailnet through a fake {@code tailscale} that prints a recorded status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerListAndChangePushIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Path dir = Path.of("target", "autosync-it", "peers-" + System.currentTimeMillis());
    private final String deadPeer = PrivateKey.generate().peerId().toString();
    private JarNode a;
    private JarNode b;

    @BeforeAll
    void start() throws Exception {
        Files.createDirectories(dir);
        Path status = dir.resolve("tailscale-status.json");
        try (InputStream in = getClass().getResourceAsStream("/peers/tailscale-status.json")) {
            Files.write(status, in.readAllBytes());
        }
        Path fake = dir.resolve("fake-tailscale");
        Files.writeString(fake, "#!/bin/sh\ncat '" + status.toAbsolutePath() + "'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        a = new JarNode("node-a", dir.resolve("node-a"), List.of(
                "--p2psync.sync.interval=PT5M",
                "--p2psync.sync.retry.max-attempts=1",
                "--p2psync.tailscale.enabled=true",
                "--p2psync.tailscale.command=" + fake.toAbsolutePath() + ",status,--json",
                "--p2psync.peers=http://127.0.64.2:8080," + deadPeer + "@http://127.0.0.1:" + closedPort));
        b = new JarNode("node-b", dir.resolve("node-b"), List.of("--p2psync.sync.interval=PT5M"));
        a.start();
        b.start();
        a.awaitUp();
        b.awaitUp();
        a.pair(b);
        b.pair(a);
    }

    @AfterAll
    void stop() throws InterruptedException {
        a.close();
        b.close();
    }

    @Test
    void aLocalChangeReachesTheOtherNodeLongBeforeTheInterval() {
        a.put("from-a", "hello from a");
        b.put("from-b", "hello from b");

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(b.get("/kv/from-a").body()).contains("hello from a");
            assertThat(a.get("/kv/from-b").body()).contains("hello from b");
        });
    }

    @Test
    void listsPairedConfiguredAndTailnetPeersWithTheirState() throws IOException {
        await().atMost(Duration.ofSeconds(60)).until(() -> peer(a, deadPeer).path("lastError").isString());
        a.put("make-b-behind-or-synced", "x");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(peer(a, b.deviceId()).path("status").asString())
                .as("a's view of b: %s", a.get("/peers").body()).isEqualTo("IN_SYNC"));

        JsonNode dead = peer(a, deadPeer);
        assertThat(dead.path("paired").asBoolean()).as("a configured id is authorized at start-up").isTrue();
        assertThat(dead.path("status").asString()).isIn("FAILING", "UNREACHABLE");
        assertThat(dead.path("nextAttemptAt").isString()).isTrue();
        assertThat(dead.path("sources").toString()).contains("CONFIG").contains("DEVICES");

        JsonNode paired = peer(a, b.deviceId());
        assertThat(paired.path("breaker").asString()).isEqualTo("CLOSED");
        assertThat(paired.path("behind").asLong()).isZero();
        assertThat(paired.path("lastSuccessAt").isString()).isTrue();

        JsonNode home = peer(a, "http://127.0.64.2:8080");
        assertThat(home.path("paired").asBoolean()).as("listed, never authorized by itself").isFalse();
        assertThat(home.path("status").asString()).isEqualTo("UNPAIRED");
        assertThat(home.path("sources").toString()).contains("CONFIG").contains("TAILSCALE");
        assertThat(home.path("name").asString()).isEqualTo("home-server");
        assertThat(home.path("online").asBoolean()).isTrue();

        JsonNode phone = peer(a, "http://127.0.88.59:8080");
        assertThat(phone.path("status").asString()).isEqualTo("UNPAIRED");
        assertThat(phone.path("online").asBoolean()).isFalse();

        assertThat(a.get("/devices").body()).doesNotContain("127.0.88.59").doesNotContain("127.0.64.2");
    }

    private static JsonNode peer(JarNode n, String key) {
        String body = n.get("/peers").body();
        for (JsonNode p : JSON.readTree(body)) {
            if (key.equals(p.path("key").asString())) {
                return p;
            }
        }
        throw new AssertionError(n.name + " does not list " + key + " in /peers: " + body);
    }
}
