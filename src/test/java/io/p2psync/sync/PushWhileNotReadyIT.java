package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.Lifecycle;

/**
 * A push that arrives while a table may hold writes of the app no trigger saw (the app dropped the capture triggers,
 * as re-creating the table does, and the node has not noticed yet) is refused for now, not failed: 503 with
 * {@code Retry-After} and a problem type the caller can tell from a fault, nothing stored; the same push goes in once
 * the node has put the triggers back and sealed what the app wrote. Before, it was a 500 with a stack trace in the
 * log, as for a bug.
 */
class PushWhileNotReadyIT {

    @TempDir
    Path dir;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aPushToATableThatIsNotReadyIsRefusedForNowWithRetryAfterAndGoesInLater() {
        node = Node.start("here", dir.resolve("here"), "p2psync.sync.auto=false", "p2psync.capture.readiness-wait=1s");
        PrivateKey laptop = PrivateKey.generate();
        node.post("/devices", "{\"deviceId\":\"" + laptop.peerId() + "\",\"name\":\"laptop\"}");
        long now = System.currentTimeMillis();
        RowChange put = new RowChange("sync_kv", SqlValues.encodeKey(List.of("k")), Operation.INSERT, null,
                SqlValues.encodeRow(Map.of("key", "k", "value", "from the laptop", "timestamp", Instant.now().toString())),
                null);
        ChangeEntry entry = ChangeEntry.seal(new DeviceIdentity(laptop), 1, now << 16, now, put, VersionVector.EMPTY,
                null);
        byte[] body = Node.JSON.writeValueAsBytes(Map.of("entries", List.of(entry)));

        Lifecycle poller = node.context.getBean("capturePoller", Lifecycle.class);
        poller.stop();
        SqliteCli app = new SqliteCli(node.context.getBean(P2pSyncSettings.class).databaseFile());
        app.dropCaptureTriggers("sync_kv", "");

        Node.Response refused = node.signedPost(laptop, "/sync/push", body, Map.of());

        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.retryAfter()).isEqualTo("5");
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:p2psync:problem:try-again");
        assertThat(refused.json().get("detail").asString()).contains("sync_kv");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(app.exec(".mode list\nSELECT count(*) FROM sync_log_view WHERE device_id = '" + laptop.peerId()
                + "';").strip()).as("nothing of the push is stored").isEqualTo("0");

        poller.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            Node.Response later = node.signedPost(laptop, "/sync/push", body, Map.of());
            assertThat(later.status()).as(later.body()).isEqualTo(200);
            assertThat(later.json().get("accepted").asInt()).isEqualTo(1);
        });
        assertThat(node.kv()).containsEntry("k", "from the laptop");
    }
}
