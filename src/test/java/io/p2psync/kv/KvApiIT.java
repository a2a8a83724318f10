package io.p2psync.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeTracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/** The key-value API and /status over real HTTP on a real SQLite file. */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KvApiIT {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.device-name", () -> "test-laptop");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    ChangeTracker tracker;

    RestClient http;

    @BeforeEach
    void client() {
        http = RestClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
    }

    private ResponseEntity<Map<String, Object>> put(String key, String value) {
        return http.put().uri("/kv/{key}", key).contentType(MediaType.TEXT_PLAIN).body(value)
                .retrieve().toEntity(new ParameterizedTypeReference<>() { });
    }

    private ResponseEntity<Map<String, Object>> get(String uri, Object... vars) {
        return http.get().uri(uri, vars).retrieve().toEntity(new ParameterizedTypeReference<>() { });
    }

    @Test
    void aPutLandsInTheLogExactlyOnceAndSealed() {
        assertThat(put("greeting", "hello").getStatusCode().value()).isEqualTo(200);
        // sealed in the same transaction: no waiting
        List<Map<String, Object>> log = jdbc.sql("SELECT * FROM sync_log WHERE table_name = 'sync_kv' AND record_id = '[\"greeting\"]'")
                .query().listOfRows();
        assertThat(log).hasSize(1);
        assertThat((String) log.get(0).get("change_data")).contains("\"value\":\"hello\"");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_capture").query(Long.class).single()).isZero();
        assertThat(tracker.verify()).isEmpty();

        ResponseEntity<Map<String, Object>> got = get("/kv/{key}", "greeting");
        assertThat(got.getBody()).containsEntry("key", "greeting").containsEntry("value", "hello").containsKey("timestamp");
    }

    @Test
    void deletesSoftlyAndListsOnlyLiveEntries() {
        put("a", "1");
        put("b", "2");
        assertThat(http.delete().uri("/kv/a").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(204);
        assertThat(get("/kv/{key}", "a").getStatusCode().value()).isEqualTo(404);
        List<Map<String, Object>> live = http.get().uri("/kv").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(live).extracting(m -> m.get("key")).contains("b").doesNotContain("a");
        assertThat(jdbc.sql("SELECT deleted_at IS NOT NULL FROM sync_kv WHERE key = 'a'").query(Boolean.class).single()).isTrue();
        assertThat(jdbc.sql("SELECT operation FROM sync_log WHERE record_id = '[\"a\"]' ORDER BY version").query(String.class).list())
                .containsExactly("INSERT", "UPDATE");
        assertThat(http.delete().uri("/kv/a").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void rejectsAKeyOverTheLimitWithAProblemBody() {
        ResponseEntity<Map<String, Object>> res = put("k".repeat(257), "v");
        assertThat(res.getStatusCode().value()).isEqualTo(400);
        assertThat(res.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat((String) res.getBody().get("detail")).contains("257 bytes");
        assertThat(put("é".repeat(128), "v").getStatusCode().value()).isEqualTo(200); // 256 bytes in UTF-8
    }

    @Test
    void rejectsAValueOverTheLimitWithAProblemBody() {
        ResponseEntity<Map<String, Object>> res = put("big", "x".repeat(64 * 1024 + 1));
        assertThat(res.getStatusCode().value()).isEqualTo(413);
        assertThat(res.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(res.getBody()).containsEntry("status", 413);
        assertThat(get("/kv/{key}", "big").getStatusCode().value()).isEqualTo(404);
        assertThat(put("big", "x".repeat(64 * 1024)).getStatusCode().value()).isEqualTo(200);
    }

    @Test
    void takesTheRawBodyAsTheValueWhateverItsContentType() {
        // what `curl -X PUT -d 'a=b&c' …` sends
        http.put().uri("/kv/form").contentType(MediaType.APPLICATION_FORM_URLENCODED).body("a=b&c")
                .retrieve().toBodilessEntity();
        assertThat(get("/kv/{key}", "form").getBody()).containsEntry("value", "a=b&c");
        ResponseEntity<Map<String, Object>> big = http.put().uri("/kv/bigform")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).body("x".repeat(64 * 1024 + 1))
                .retrieve().toEntity(new ParameterizedTypeReference<>() { });
        assertThat(big.getStatusCode().value()).isEqualTo(413);
    }

    @Test
    void rejectsAValueThatIsNotUtf8() {
        ResponseEntity<Map<String, Object>> res = http.put().uri("/kv/bin").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new byte[] {(byte) 0xff, (byte) 0xfe}).retrieve().toEntity(new ParameterizedTypeReference<>() { });
        assertThat(res.getStatusCode().value()).isEqualTo(400);
        assertThat(res.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void answersStatusAndHealth() {
        put("s", "1");
        Map<String, Object> status = get("/status").getBody();
        assertThat(status).containsKeys("deviceId", "versionVector", "logEntries", "devices", "pendingConflicts");
        assertThat((String) status.get("deviceId")).startsWith("12D3KooW");
        assertThat(status).containsEntry("deviceName", "test-laptop");
        assertThat(((Number) status.get("logEntries")).longValue()).isPositive();
        assertThat(((Map<?, ?>) status.get("versionVector")).containsKey(status.get("deviceId"))).isTrue();
        assertThat(get("/actuator/health").getBody()).containsEntry("status", "UP");
    }
}
