package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.testing.SqliteCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Pages are bounded by bytes as well as by count. An app (Debian's {@code sqlite3}) writes rows of about
 * 1 MB into a tracked table of a real node; before, 40 of them made one push of about 53 MB that the other
 * device refused with 413 on every round, so a small edit made after them never arrived, and a pull answer
 * held every entry the caller lacked however large. Now each page stops before the byte budget (carrying at
 * least one entry), and an entry above the maximum entry size is reported instead of being sent.
 */
@Timeout(300)
class LargeRowsIT {

    private static final String SCHEMA = """
            CREATE TABLE files (id TEXT PRIMARY KEY, name TEXT NOT NULL, content BLOB);
            CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);""";
    private static final String TABLES = "p2psync.tables=files,notes";
    /** The rows compared value by value; a digest stands for each blob so the dump stays small. */
    private static final String FILES = "SELECT id || '|' || name || '|' || length(content) || '|' || hex(sha3(content))"
            + " FROM files ORDER BY id;";

    @TempDir
    Path dir;

    private AppDevices devices;

    @BeforeEach
    void apps() {
        devices = new AppDevices(dir, SCHEMA, TABLES, "p2psync.sync.auto=false");
    }

    @AfterEach
    void stop() {
        devices.close();
    }

    @Test
    void fortyRowsOfOneMegabyteAndALaterSmallEditAllArrive() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        Node laptop = devices.node("laptop", laptopApp);
        Node phone = devices.node("phone", phoneApp);
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        laptopApp.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
                + " INSERT INTO files SELECT printf('f%03d', i), 'file ' || i, randomblob(1000000) FROM n;");
        laptopApp.exec("INSERT INTO notes VALUES ('n1', 'hello');");

        JsonNode round = laptop.syncNow().get(0);
        assertThat(round.path("error").isNull()).as("the round pushes everything: %s", round).isTrue();
        assertThat(round.path("pushed").asInt()).as("%s", round).isEqualTo(41);

        assertThat(phoneApp.dump("notes")).containsExactly("'n1'|'hello'");
        assertThat(phoneApp.exec(FILES)).hasLineCount(40).isEqualTo(laptopApp.exec(FILES));
    }

    @Test
    void pullAnswersStayWithinThePageBudgetAndCarryEverythingInTurn() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        Node laptop = devices.node("laptop", laptopApp);
        Node phone = devices.node("phone", phoneApp, "p2psync.sync.page-bytes=4MB");
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        // 12 entries of about 1.33 MB each (base64 of 1 MB): 16 MB the laptop lacks.
        phoneApp.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)"
                + " INSERT INTO files SELECT printf('f%03d', i), 'file ' || i, randomblob(1000000) FROM n;");

        // Ask the phone page by page as the laptop would: every answer is at most the 4 MB budget and carries
        // at least one entry, and the pages together carry all 12.
        var laptopKey = laptop.context.getBean(DeviceIdentity.class).privateKey();
        Map<String, Long> vector = new java.util.TreeMap<>();
        int received = 0;
        for (int page = 0; page < 20; page++) {
            byte[] ask = Node.JSON.writeValueAsBytes(Map.of("format", 1, "vector", vector));
            Node.Response answer = phone.signedPost(laptopKey, "/sync/pull", ask, Map.of());
            assertThat(answer.status()).as("%s", answer.status()).isEqualTo(200);
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            assertThat(body.length).as("answer %d", page).isLessThanOrEqualTo(4 * 1024 * 1024);
            JsonNode json = Node.JSON.readTree(body);
            JsonNode entries = json.path("entries");
            if (!json.path("more").asBoolean()) {
                received += entries.size();
                break;
            }
            assertThat(entries.size()).as("a page that says more carries something").isPositive();
            received += entries.size();
            for (JsonNode e : entries) {
                vector.merge(e.path("origin").asString(), e.path("version").asLong(), Math::max);
            }
        }
        assertThat(received).as("entries over all pages").isEqualTo(12);

        JsonNode round = laptop.syncNow().get(0);
        assertThat(round.path("error").isNull()).as("%s", round).isTrue();
        assertThat(laptopApp.exec(FILES)).hasLineCount(12).isEqualTo(phoneApp.exec(FILES));
    }

    @Test
    void anEntryAboveTheMaximumIsReportedAndEverythingElseGoesOn() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        String[] small = {"p2psync.sync.max-body-size=4MB", "p2psync.sync.page-bytes=1MB",
                "p2psync.sync.max-entry-size=2MB", "p2psync.sync.max-answer-size=4MB",
                "p2psync.health.refused-threshold=1ms"};
        Node laptop = devices.node("laptop", laptopApp, small);
        Node phone = devices.node("phone", phoneApp, small);
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        // One write at a time, each sealed before the next, so each is a group of its own.
        laptopApp.exec("INSERT INTO notes VALUES ('before', 'goes');");
        awaitLog(laptop, 1);
        laptopApp.exec("INSERT INTO files VALUES ('f1', 'huge', randomblob(2500000));"); // ~3.3 MB as an entry
        awaitLog(laptop, 2);
        laptopApp.exec("INSERT INTO notes VALUES ('after', 'waits behind it');");
        awaitLog(laptop, 3);
        phoneApp.exec("INSERT INTO notes VALUES ('phone', 'still flows');");

        // Pushing: the laptop sends what comes before the entry and counts the entry as refused, too large.
        JsonNode push = laptop.syncNow().get(0);
        assertThat(push.path("completed").asBoolean()).as("%s", push).isTrue();
        assertThat(push.path("rejected").asInt()).as("reported: %s", push).isEqualTo(1);
        assertThat(refusedReasons(laptop, phone)).as("the laptop's /peers").containsEntry("too-large", 1);
        assertThat(phoneApp.dump("notes")).containsExactly("'before'|'goes'", "'phone'|'still flows'");
        assertThat(laptopApp.dump("notes")).contains("'phone'|'still flows'");

        // Pulling: the laptop's answer says which entry cannot travel, and the phone reports it the same way.
        JsonNode pull = phone.syncNow().get(0);
        assertThat(pull.path("completed").asBoolean()).as("%s", pull).isTrue();
        assertThat(pull.path("rejected").asInt()).as("reported: %s", pull).isEqualTo(1);
        assertThat(refusedReasons(phone, laptop)).as("the phone's /peers").containsEntry("too-large", 1);
        assertThat(phoneApp.dump("files")).isEmpty();
        assertThat(phoneApp.dump("notes")).doesNotContain("'after'|'waits behind it'");

        // Every round refuses it, so (past a threshold set to 1 ms here) health says so on both devices.
        for (Node n : java.util.List.of(laptop, phone)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(n.outOfServiceReason()).contains("1 paired peer").contains("too-large 1"));
        }
    }

    private static void awaitLog(Node node, long entries) {
        await().atMost(Duration.ofSeconds(30)).until(node::logEntries, n -> n >= entries);
    }

    /** {@code refusedReasons} of {@code peer} in {@code at}'s {@code GET /peers}. */
    private static Map<String, Integer> refusedReasons(Node at, Node peer) {
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        for (JsonNode p : at.get("/peers").json()) {
            if (peer.id.toString().equals(p.path("deviceId").asString())) {
                p.path("refusedReasons").properties().forEach(e -> reasons.put(e.getKey(), e.getValue().asInt()));
            }
        }
        return reasons;
    }
}
