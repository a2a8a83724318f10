package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.sync.Node;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Two real nodes over real HTTP (REST sync with signed requests), each on its own SQLite file; node b's wall
 * clock runs an hour ahead. One table per policy, so one pair of nodes shows every policy: both nodes edit
 * the same row without syncing, then sync with {@code /sync/now}, and end with the same row (under manual,
 * once a person has resolved the conflict through {@code /conflicts}).
 */
class ConflictPoliciesIT {

    private static final String[] COMMON = {
            "spring.flyway.locations=classpath:db/migration,classpath:db/conflictmigration",
            "p2psync.tables=t_timestamp,t_local,t_remote,t_merge,t_manual",
            "p2psync.capture.assigned-keys=t_timestamp,t_local,t_remote,t_merge,t_manual",
            "p2psync.conflicts.policy.t_timestamp=timestamp", // merge is the default now
            "p2psync.conflicts.policy.t_local=local",
            "p2psync.conflicts.policy.t_remote=remote",
            "p2psync.conflicts.policy.t_merge=merge",
            "p2psync.conflicts.policy.t_manual=manual"};
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static Node a;
    static Node b;

    @BeforeAll
    static void startNodes() {
        a = Node.start("a", dir.resolve("a"), COMMON);
        String[] skewed = java.util.stream.Stream.concat(java.util.Arrays.stream(COMMON),
                java.util.stream.Stream.of("spring.main.sources=io.p2psync.conflict.SkewedClock", "test.clock-skew=PT1H"))
                .toArray(String[]::new);
        b = Node.start("b", dir.resolve("b"), skewed);
        a.pairWith(b);
        b.pairWith(a);
    }

    @AfterAll
    static void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
    }

    /** Writes as the user's own program would: through the triggers, sealed in the same transaction. */
    private static void write(Node n, String sql, Object... params) {
        n.context.getBean(TransactionTemplate.class).executeWithoutResult(s -> {
            n.context.getBean(JdbcClient.class).sql(sql).params(params).update();
            n.context.getBean(ChangeTracker.class).sealPending();
        });
    }

    private static List<Map<String, Object>> rows(Node n, String table) {
        return n.context.getBean(JdbcClient.class).sql("SELECT * FROM " + table + " ORDER BY id").query().listOfRows();
    }

    /** Sync rounds until nothing moves: resolutions written during a round travel in the next. */
    private static void sync() {
        for (int i = 0; i < 3; i++) {
            assertThat(a.post("/sync/now", "").status()).isEqualTo(200);
            assertThat(b.post("/sync/now", "").status()).isEqualTo(200);
        }
    }

    /** Both nodes hold row {@code id} of {@code table}; then each changes it without seeing the other. */
    private static void concurrentEdits(String table, int id, String onA, String onB) {
        write(a, "INSERT INTO " + table + " (id, title, qty, note) VALUES (?, 'created', 1, 'n')", id);
        sync();
        write(a, onA, id);
        write(b, onB, id);
        sync();
    }

    private static JsonNode conflicts(Node n, String query) {
        Node.Response r = n.get("/conflicts?" + query);
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("items");
    }

    @Test
    void timestampKeepsTheLaterEditOnBothNodesAndTheSkewedClockIsLater() {
        concurrentEdits("t_timestamp", 1, "UPDATE t_timestamp SET title = 'a' WHERE id = ?",
                "UPDATE t_timestamp SET title = 'b' WHERE id = ?");
        assertThat(rows(a, "t_timestamp")).isEqualTo(rows(b, "t_timestamp"));
        assertThat(rows(a, "t_timestamp").get(0).get("title")).isEqualTo("b");
        JsonNode onA = conflicts(a, "table=t_timestamp").get(0);
        assertThat(onA.get("status").asString()).isEqualTo("resolved");
        assertThat(onA.get("resolution").asString()).isEqualTo("timestamp: remote is later");
        // b's edit carries b's clock, an hour ahead of real time
        assertThat(HybridLogicalClock.wallMillis(onA.get("remote").get("hlc").asLong()))
                .isGreaterThan(System.currentTimeMillis() + 3_000_000L);
    }

    @Test
    void aNodeThatSawTheSkewedClockWritesAfterItThoughItsOwnClockIsAnHourBehind() {
        write(b, "INSERT INTO t_timestamp (id, title) VALUES (2, 'from b')");
        sync();
        write(a, "UPDATE t_timestamp SET title = 'from a, later' WHERE id = 2");
        sync();

        ChangeTracker onA = a.context.getBean(ChangeTracker.class);
        List<ChangeEntry> row = onA.missingFrom(VersionVector.EMPTY, 10_000).stream()
                .filter(e -> e.table().equals("t_timestamp") && e.recordId().equals("[2]")).toList();
        assertThat(row).hasSize(2);
        assertThat(row.get(1).origin()).isEqualTo(a.id.toString());
        assertThat(row.get(1).hlc()).isGreaterThan(row.get(0).hlc());
        assertThat(rows(b, "t_timestamp")).filteredOn(r -> r.get("id").equals(2))
                .extracting(r -> r.get("title")).containsExactly("from a, later");
    }

    @Test
    void localKeepsEachNodesValueThenTheResolutionsSettleByTimestamp() {
        concurrentEdits("t_local", 1, "UPDATE t_local SET title = 'a' WHERE id = ?",
                "UPDATE t_local SET title = 'b' WHERE id = ?");
        assertThat(rows(a, "t_local")).isEqualTo(rows(b, "t_local"));
        assertThat(conflicts(a, "table=t_local").get(0).get("resolution").asString()).isIn("local",
                "timestamp: concurrent resolutions, local is later", "timestamp: concurrent resolutions, remote is later");
    }

    @Test
    void remoteTakesTheIncomingValueAndTheResolutionSpreadsIt() {
        concurrentEdits("t_remote", 1, "UPDATE t_remote SET title = 'a' WHERE id = ?",
                "UPDATE t_remote SET title = 'b' WHERE id = ?");
        assertThat(rows(a, "t_remote")).isEqualTo(rows(b, "t_remote"));
    }

    @Test
    void mergeKeepsColumnsChangedOnOneSideFromThatSide() {
        concurrentEdits("t_merge", 1, "UPDATE t_merge SET title = 'title from a', note = 'note from a' WHERE id = ?",
                "UPDATE t_merge SET qty = 42, note = 'note from b' WHERE id = ?");
        Map<String, Object> expected = Map.of("id", 1, "title", "title from a", "qty", 42, "note", "note from b");
        assertThat(rows(a, "t_merge")).containsExactly(expected);
        assertThat(rows(b, "t_merge")).containsExactly(expected);
    }

    @Test
    void manualWaitsForAPersonThenTheResolutionReachesTheOtherNode() throws Exception {
        concurrentEdits("t_manual", 1, "UPDATE t_manual SET title = 'a' WHERE id = ?",
                "UPDATE t_manual SET title = 'b' WHERE id = ?");
        assertThat(rows(a, "t_manual").get(0).get("title")).isEqualTo("a");
        assertThat(rows(b, "t_manual").get(0).get("title")).isEqualTo("b");
        JsonNode pendingOnA = conflicts(a, "status=pending&table=t_manual");
        assertThat(pendingOnA).hasSize(1);
        assertThat(conflicts(b, "status=pending&table=t_manual")).hasSize(1);

        long id = pendingOnA.get(0).get("id").asLong();
        HttpResponse<String> resolved = HTTP.send(HttpRequest.newBuilder(URI.create(a.url + "/conflicts/" + id + "/resolve"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\":{\"title\":\"agreed\",\"qty\":7}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resolved.statusCode()).isEqualTo(200);
        assertThat(a.post("/conflicts/" + id + "/resolve", "{\"strategy\":\"local\"}").status()).isEqualTo(409);
        sync();

        Map<String, Object> expected = Map.of("id", 1, "title", "agreed", "qty", 7, "note", "n");
        assertThat(rows(a, "t_manual")).containsExactly(expected);
        assertThat(rows(b, "t_manual")).containsExactly(expected);
        assertThat(conflicts(b, "status=pending&table=t_manual")).isEmpty();
        assertThat(conflicts(b, "status=resolved&table=t_manual").get(0).get("resolution").asString())
                .startsWith("resolved on device " + a.id);
    }

    @Test
    void keyValueDeleteAndConcurrentUpdateSettleByTimestampThroughTheKvApi() throws Exception {
        put(a, "shared", "v0");
        sync();
        put(a, "shared", "from a");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(b.url + "/kv/shared")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() / 100).isEqualTo(2);
        sync();
        assertThat(a.get("/kv").body()).isEqualTo(b.get("/kv").body());
    }

    private static void put(Node n, String key, String value) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.url + "/kv/" + key))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode() / 100).isEqualTo(2);
    }
}
