package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.sync.Node;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.Lifecycle;
import tools.jackson.databind.JsonNode;

/**
 * A peer that answers "try again" (503 {@code try-again} with {@code Retry-After}: a table there may hold writes of
 * its app no trigger saw, or its database is busy) is not failing: its answer must not open this device's breaker
 * for it, and the change refused is pushed again when the peer said to come back, not left for the next catch-up.
 * Two real nodes on 127.0.0.1; B's app dropped the capture triggers of a table and B has not put them back yet.
 */
class BusyPeerIT {

    @TempDir
    Path dir;

    private Node a;
    private Node b;

    @AfterEach
    void stop() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void aPeerThatSaysTryAgainKeepsItsBreakerClosedAndGetsTheChangeWhenReady() {
        // Catch-up only hourly and a breaker that opens after two failed calls of two: only the retry the peer asked
        // for can bring the change over within the test, and two counted refusals would open the breaker.
        String[] settings = {"p2psync.sync.interval=1h", "p2psync.sync.breaker.window-size=2",
                "p2psync.sync.breaker.minimum-calls=2", "p2psync.sync.notify-debounce=50ms",
                "p2psync.capture.readiness-wait=1s"};
        a = Node.start("a", dir.resolve("a"), settings);
        b = Node.start("b", dir.resolve("b"), settings);
        a.pairWith(b);
        b.pairWith(a);
        a.put("before", "synced while all is well");
        await().atMost(Duration.ofSeconds(60)).until(() -> "synced while all is well".equals(b.kv().get("before")));

        Lifecycle poller = b.context.getBean("capturePoller", Lifecycle.class);
        SqliteCli app = new SqliteCli(b.context.getBean(P2pSyncSettings.class).databaseFile());
        dropCaptureTriggers(poller, app);

        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            int n = i;
            String refusedBefore = peerOf(a, b).path("lastErrorAt").asString("");
            a.put("k" + n, "written on a while b is not ready " + n);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode now = peerOf(a, b);
                return !now.path("lastErrorAt").asString("").equals(refusedBefore)
                        && now.path("lastError").asString("").contains("try again");
            });
        }
        JsonNode peer = peerOf(a, b);
        assertThat(peer.path("breaker").asString()).as("a refusal for now is not a failure: %s", peer)
                .isEqualTo("CLOSED");
        assertThat(peer.path("failedRounds").asInt()).as(peer.toString()).isZero();
        assertThat(b.kv()).doesNotContainKey("k0");
        // b waits 1 s for its table before it refuses, and a asks again 5 s later: one round at a time, however many
        // changes asked for one meanwhile
        double deferred = deferredRounds(a);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(deferred).as("rounds a put off in %d s", seconds).isBetween(3.0, seconds / 6.0 + 2);

        poller.start(); // b notices the missing triggers, puts them back and seals what its app wrote
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(b.kv())
                .containsEntry("k0", "written on a while b is not ready 0")
                .containsEntry("k2", "written on a while b is not ready 2"));
        assertThat(peerOf(a, b).path("breaker").asString()).isEqualTo("CLOSED");

        // The other way round: b's own round pulls what a wrote, and b cannot apply it yet. Put off as well, not a
        // failure of a.
        dropCaptureTriggers(poller, app);
        a.put("k3", "written on a while b is not ready again");
        JsonNode now = b.syncNow();
        assertThat(now.toString()).contains("not applied here for now");
        JsonNode aSeenFromB = peerOf(b, a);
        assertThat(aSeenFromB.path("breaker").asString()).as(aSeenFromB.toString()).isEqualTo("CLOSED");
        assertThat(aSeenFromB.path("failedRounds").asInt()).as(aSeenFromB.toString()).isZero();
        assertThat(b.kv()).doesNotContainKey("k3");
        poller.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> b.kv().containsKey("k3"));
    }

    /** B's app drops the capture triggers of {@code sync_kv} while B's poller, which would put them back, is stopped. */
    private static void dropCaptureTriggers(Lifecycle poller, SqliteCli app) {
        poller.stop();
        app.dropCaptureTriggers("sync_kv", "");
    }

    private static double deferredRounds(Node node) {
        return node.context.getBean(io.micrometer.core.instrument.MeterRegistry.class).find("p2psync.sync.rounds")
                .tag("outcome", "deferred").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private static JsonNode peerOf(Node node, Node other) {
        for (JsonNode p : node.get("/peers").json()) {
            if (other.id.toString().equals(p.path("deviceId").asString())) {
                return p;
            }
        }
        throw new AssertionError(other + " is not among the peers of " + node + ": " + node.get("/peers").body());
    }
}
