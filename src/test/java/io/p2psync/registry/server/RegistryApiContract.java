package io.p2psync.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.registry.Announcement;
import io.p2psync.registry.CoordinatorHeartbeat;
import io.p2psync.registry.RegistrySignature;
import io.p2psync.testing.ManualClock;
import io.p2psync.testing.ScratchDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint of the registry and every refusal, against a real node serving it over HTTP; run once per store
 * ({@link RegistrySqliteIT}, {@link RegistryPostgresIT}). Each test makes its own network, so rate counts and
 * presence of one never meet another's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryApiContract {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final ManualClock clock = new ManualClock(Instant.now());
    ConfigurableApplicationContext node;
    String url;
    private Path dataDir;

    /** Properties that point the registry at the store under test. */
    abstract List<String> storeProperties();

    @BeforeAll
    void startRegistry() {
        dataDir = ScratchDirs.create("registry-it-");
        node = RegistryNodes.start(dataDir, clock, storeProperties());
        url = RegistryNodes.url(node);
    }

    @AfterAll
    void stopRegistry() {
        if (node != null) {
            node.close();
        }
        ScratchDirs.delete(dataDir);
    }

    // ---- networks

    @Test
    void makesANetworkWhoseTokenIsShownOnceAndKeptOnlyHashed() {
        HttpResponse<String> r = post(url + "/network", "{\"name\":\"family\"}", Map.of("Content-Type", "application/json"));
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        String id = body.get("networkId").asString();
        String token = body.get("token").asString();
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        List<Map<String, Object>> rows = node.getBean(RegistryStore.class).jdbc()
                .queryForList("SELECT * FROM registry_networks WHERE network_id = ?", id);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).values()).noneMatch(v -> String.valueOf(v).contains(token));
        assertThat(rows.get(0).get("token_hash")).isEqualTo(RegistryStore.hash(token));
    }

    // ---- announce and look up

    @Test
    void findsAnAnnouncedDeviceByIdAndByName() {
        Net net = newNetwork();
        DeviceIdentity laptop = device();
        HttpResponse<String> r = announce(net, laptop, "laptop", List.of(multiaddr(laptop)), "http://127.0.0.7:8080",
                List.of(), clock.millis());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (String userId : List.of(laptop.deviceId().toString(), "laptop")) {
            JsonNode p = json(get(url + "/network/" + net.id + "/peer/" + userId, net.token), 200);
            assertThat(p.get("deviceId").asString()).isEqualTo(laptop.deviceId().toString());
            assertThat(p.get("name").asString()).isEqualTo("laptop");
            assertThat(p.get("online").asBoolean()).isTrue();
            assertThat(p.get("restUrl").asString()).isEqualTo("http://127.0.0.7:8080");
            assertThat(p.get("multiaddrs").get(0).asString()).isEqualTo(multiaddr(laptop));
            assertThat(Instant.parse(p.get("lastSeen").asString())).isEqualTo(Instant.ofEpochMilli(clock.millis()));
        }
    }

    @Test
    void aLaterAnnouncementReplacesTheAddresses() {
        Net net = newNetwork();
        DeviceIdentity phone = device();
        assertThat(announce(net, phone, null, List.of(), "http://127.0.0.8:1", List.of(), clock.millis() - 10).statusCode())
                .isEqualTo(200);
        assertThat(announce(net, phone, null, List.of(), "http://127.0.0.8:2", List.of(), clock.millis()).statusCode())
                .isEqualTo(200);
        JsonNode p = json(get(url + "/network/" + net.id + "/peer/" + phone.deviceId(), net.token), 200);
        assertThat(p.get("restUrl").asString()).isEqualTo("http://127.0.0.8:2");
    }

    @Test
    void activePeersListsOnlyDevicesSeenWithinTheTtlAndAnOfflineOneKeepsItsLastCoordinators() {
        Net net = newNetwork();
        DeviceIdentity coordinator = device();
        DeviceIdentity away = device();
        DeviceIdentity here = device();
        assertThat(heartbeat(net, coordinator, 40, List.of(multiaddr(coordinator)), clock.millis()).statusCode()).isEqualTo(200);
        assertThat(announce(net, away, null, List.of(), null, List.of(coordinator.deviceId().toString()), clock.millis())
                .statusCode()).isEqualTo(200);
        Instant awaySeen = clock.instant();

        clock.advance(Duration.ofMinutes(4)); // past the default presence TTL of 3 minutes
        assertThat(announce(net, here, null, List.of(), "http://127.0.0.9:1", List.of(), clock.millis()).statusCode())
                .isEqualTo(200);

        JsonNode active = json(get(url + "/network/" + net.id + "/active-peers", net.token), 200);
        List<String> ids = new ArrayList<>();
        active.get("peers").forEach(p -> ids.add(p.get("deviceId").asString()));
        assertThat(ids).containsExactly(here.deviceId().toString());

        JsonNode offline = json(get(url + "/network/" + net.id + "/peer/" + away.deviceId(), net.token), 200);
        assertThat(offline.get("online").asBoolean()).isFalse();
        assertThat(Instant.parse(offline.get("lastSeen").asString())).isEqualTo(Instant.ofEpochMilli(awaySeen.toEpochMilli()));
        JsonNode last = offline.get("lastCoordinators").get(0);
        assertThat(last.get("deviceId").asString()).isEqualTo(coordinator.deviceId().toString());
        assertThat(last.get("online").asBoolean()).isFalse(); // its heartbeat is as old as the announcement
        assertThat(last.get("load").asInt()).isEqualTo(40);

        assertThat(heartbeat(net, coordinator, 70, List.of(), clock.millis()).statusCode()).isEqualTo(200);
        JsonNode again = json(get(url + "/network/" + net.id + "/peer/" + away.deviceId(), net.token), 200);
        assertThat(again.get("lastCoordinators").get(0).get("online").asBoolean()).isTrue();
        assertThat(again.get("lastCoordinators").get(0).get("load").asInt()).isEqualTo(70);
    }

    @Test
    void aDeviceOfOneNetworkIsUnknownInAnother() {
        Net one = newNetwork();
        Net other = newNetwork();
        DeviceIdentity d = device();
        assertThat(announce(one, d, null, List.of(), null, List.of(), clock.millis()).statusCode()).isEqualTo(200);
        problem(get(url + "/network/" + other.id + "/peer/" + d.deviceId(), other.token), 404, "unknown-peer");
        problem(get(url + "/network/" + one.id + "/peer/nobody", one.token), 404, "unknown-peer");
    }

    // ---- tokens and networks

    @Test
    void refusesAMissingOrWrongTokenOnEveryEndpoint() {
        Net net = newNetwork();
        Net other = newNetwork();
        DeviceIdentity d = device();
        for (String token : new String[] {null, other.token, "not-a-token"}) {
            problem(get(url + "/network/" + net.id + "/active-peers", token), 401, token == null ? "token-required" : "wrong-token");
            problem(get(url + "/network/" + net.id + "/peer/" + d.deviceId(), token), 401, token == null ? "token-required" : "wrong-token");
            problem(sendAnnouncement(net.id, token, d, body(d, null, List.of(), null, List.of(), clock.millis()), net.id),
                    401, token == null ? "token-required" : "wrong-token");
        }
        problem(post(url + "/coordinator/heartbeat", "{}", Map.of()), 401, "token-required");
        problem(post(url + "/coordinator/heartbeat", "{}", Map.of("Authorization", "Bearer not-a-token")), 401, "wrong-token");
    }

    @Test
    void answersUnknownNetworkWith404() {
        Net net = newNetwork();
        DeviceIdentity d = device();
        problem(get(url + "/network/net-nope/active-peers", net.token), 404, "unknown-network");
        problem(get(url + "/network/net-nope/peer/" + d.deviceId(), net.token), 404, "unknown-network");
        problem(sendAnnouncement("net-nope", net.token, d, body(d, null, List.of(), null, List.of(), clock.millis()), "net-nope"),
                404, "unknown-network");
    }

    // ---- signatures

    @Test
    void refusesUnsignedForgedAndMisdirectedAnnouncements() {
        Net net = newNetwork();
        Net other = newNetwork();
        DeviceIdentity d = device();
        DeviceIdentity mallory = device();
        byte[] b = body(d, null, List.of(), "http://127.0.0.66:1", List.of(), clock.millis());
        problem(send(HttpRequest.newBuilder(URI.create(url + "/network/" + net.id + "/announce"))
                .header("Authorization", "Bearer " + net.token).POST(HttpRequest.BodyPublishers.ofByteArray(b))), 400, "unsigned");
        // signed by another key than the device it names
        problem(sendSigned(net, mallory, b, RegistrySignature.Purpose.ANNOUNCE, net.id), 401, "bad-signature");
        // signed for another network
        problem(sendSigned(net, d, b, RegistrySignature.Purpose.ANNOUNCE, other.id), 401, "bad-signature");
        // a heartbeat's signature on an announcement
        problem(sendSigned(net, d, b, RegistrySignature.Purpose.HEARTBEAT, net.id), 401, "bad-signature");
        // signed, then changed
        String signature = RegistrySignature.sign(d, RegistrySignature.Purpose.ANNOUNCE, net.id, b);
        byte[] changed = new String(b, StandardCharsets.UTF_8).replace("127.0.0.66", "127.0.0.67").getBytes(StandardCharsets.UTF_8);
        problem(send(HttpRequest.newBuilder(URI.create(url + "/network/" + net.id + "/announce"))
                .header("Authorization", "Bearer " + net.token).header(RegistrySignature.HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(changed))), 401, "bad-signature");
        problem(send(HttpRequest.newBuilder(URI.create(url + "/network/" + net.id + "/announce"))
                .header("Authorization", "Bearer " + net.token).header(RegistrySignature.HEADER, "%%%")
                .POST(HttpRequest.BodyPublishers.ofByteArray(b))), 401, "bad-signature");
        // nothing of it was taken
        problem(get(url + "/network/" + net.id + "/peer/" + d.deviceId(), net.token), 404, "unknown-peer");
    }

    @Test
    void refusesReplayedOlderStaleAndFutureAnnouncements() {
        Net net = newNetwork();
        DeviceIdentity d = device();
        byte[] first = body(d, null, List.of(), "http://127.0.0.10:1", List.of(), clock.millis());
        assertThat(sendSigned(net, d, first, RegistrySignature.Purpose.ANNOUNCE, net.id).statusCode()).isEqualTo(200);
        problem(sendSigned(net, d, first, RegistrySignature.Purpose.ANNOUNCE, net.id), 401, "replayed");
        problem(announce(net, d, null, List.of(), "http://127.0.0.10:2", List.of(), clock.millis() - 1), 401, "replayed");
        problem(announce(net, d, null, List.of(), "http://127.0.0.10:3", List.of(), clock.millis() - Duration.ofMinutes(6).toMillis()),
                401, "stale-timestamp");
        problem(announce(net, d, null, List.of(), "http://127.0.0.10:4", List.of(), clock.millis() + Duration.ofMinutes(1).toMillis()),
                401, "stale-timestamp");
        JsonNode p = json(get(url + "/network/" + net.id + "/peer/" + d.deviceId(), net.token), 200);
        assertThat(p.get("restUrl").asString()).isEqualTo("http://127.0.0.10:1");
    }

    // ---- limits and malformed bodies

    @Test
    void refusesOversizedBodiesAndTooManyAddresses() {
        Net net = newNetwork();
        DeviceIdentity d = device();
        String longName = "n".repeat(5000);
        problem(sendSigned(net, d, body(d, longName, List.of(), null, List.of(), clock.millis()),
                RegistrySignature.Purpose.ANNOUNCE, net.id), 413, "body-too-large");
        List<String> four = List.of(multiaddr(d), "/ip4/127.0.0.1/tcp/2", "/ip4/127.0.0.1/tcp/3", "/ip4/127.0.0.1/tcp/4");
        problem(announce(net, d, null, four, null, List.of(), clock.millis()), 400, "too-many-addresses");
        List<String> coordinators = List.of(device().deviceId().toString(), device().deviceId().toString(),
                device().deviceId().toString());
        problem(announce(net, d, null, List.of(), null, coordinators, clock.millis()), 400, "too-many-addresses");
        problem(get(url + "/network/" + net.id + "/peer/" + d.deviceId(), net.token), 404, "unknown-peer");
    }

    @Test
    void refusesMalformedAnnouncements() {
        Net net = newNetwork();
        DeviceIdentity d = device();
        List<String> bodies = List.of(
                "not json",
                "",
                "{\"version\":2,\"deviceId\":\"" + d.deviceId() + "\",\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"12D3KooWnope\",\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"" + d.deviceId() + "\",\"multiaddrs\":[\"not/a/multiaddr\"],\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"" + d.deviceId() + "\",\"restUrl\":\"ftp://x\",\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"" + d.deviceId() + "\",\"coordinators\":[\"x\"],\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"" + d.deviceId() + "\",\"name\":\"" + d.deviceId() + "\",\"timestamp\":" + clock.millis() + "}",
                "{\"version\":1,\"deviceId\":\"" + d.deviceId() + "\",\"surprise\":1,\"timestamp\":" + clock.millis() + "}");
        for (String b : bodies) {
            problem(sendSigned(net, d, b.getBytes(StandardCharsets.UTF_8), RegistrySignature.Purpose.ANNOUNCE, net.id),
                    400, "malformed");
        }
    }

    @Test
    void aNameNamesOneDevicePerNetwork() {
        Net net = newNetwork();
        DeviceIdentity first = device();
        DeviceIdentity second = device();
        assertThat(announce(net, first, "phone", List.of(), null, List.of(), clock.millis()).statusCode()).isEqualTo(200);
        problem(announce(net, second, "phone", List.of(), null, List.of(), clock.millis()), 409, "name-taken");
        JsonNode p = json(get(url + "/network/" + net.id + "/peer/phone", net.token), 200);
        assertThat(p.get("deviceId").asString()).isEqualTo(first.deviceId().toString());
    }

    @Test
    void limitsAnnouncementsPerDevice() {
        Net net = newNetwork();
        DeviceIdentity d = device();
        long t = clock.millis();
        for (int i = 0; i < 4; i++) {
            assertThat(announce(net, d, null, List.of(), null, List.of(), t - 10 + i).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> flood = announce(net, d, null, List.of(), null, List.of(), t);
        problem(flood, 429, "rate-limited");
        assertThat(flood.headers().firstValue("Retry-After")).isPresent();
        // another device of the network is not held back by this one
        assertThat(announce(net, device(), null, List.of(), null, List.of(), t).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(61));
        assertThat(announce(net, d, null, List.of(), null, List.of(), clock.millis()).statusCode()).isEqualTo(200);
    }

    @Test
    void limitsAnnouncementsPerToken() {
        Net net = newNetwork();
        Net other = newNetwork();
        long t = clock.millis();
        for (int i = 0; i < 12; i++) {
            assertThat(announce(net, device(), null, List.of(), null, List.of(), t).statusCode()).isEqualTo(200);
        }
        problem(announce(net, device(), null, List.of(), null, List.of(), t), 429, "rate-limited");
        assertThat(announce(other, device(), null, List.of(), null, List.of(), t).statusCode()).isEqualTo(200);
    }

    // ---- coordinators

    @Test
    void refusesBadHeartbeats() {
        Net net = newNetwork();
        DeviceIdentity c = device();
        problem(heartbeat(net, c, 101, List.of(), clock.millis()), 400, "malformed");
        byte[] b = JSON.writeValueAsBytes(new CoordinatorHeartbeat(1, c.deviceId().toString(), 10, List.of(), clock.millis()));
        problem(sendHeartbeat(net, device(), b), 401, "bad-signature");
        problem(send(HttpRequest.newBuilder(URI.create(url + "/coordinator/heartbeat"))
                .header("Authorization", "Bearer " + net.token).POST(HttpRequest.BodyPublishers.ofByteArray(b))), 400, "unsigned");
        assertThat(sendHeartbeat(net, c, b).statusCode()).isEqualTo(200);
        problem(sendHeartbeat(net, c, b), 401, "replayed");
        problem(heartbeat(net, c, 10, List.of("/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2", "/ip4/127.0.0.1/tcp/3",
                "/ip4/127.0.0.1/tcp/4"), clock.millis() + 1), 400, "too-many-addresses");
    }

    // ---- helpers

    record Net(String id, String token) {
    }

    Net newNetwork() {
        JsonNode body = json(post(url + "/network", "", Map.of()), 201);
        return new Net(body.get("networkId").asString(), body.get("token").asString());
    }

    static DeviceIdentity device() {
        return new DeviceIdentity(PrivateKey.generate());
    }

    static String multiaddr(DeviceIdentity d) {
        return "/ip4/127.0.0.1/tcp/4001/p2p/" + d.deviceId();
    }

    static byte[] body(DeviceIdentity d, String name, List<String> multiaddrs, String restUrl, List<String> coordinators,
                       long timestamp) {
        return JSON.writeValueAsBytes(new Announcement(Announcement.VERSION, d.deviceId().toString(), name, multiaddrs,
                restUrl, coordinators, timestamp));
    }

    HttpResponse<String> announce(Net net, DeviceIdentity d, String name, List<String> multiaddrs, String restUrl,
                                  List<String> coordinators, long timestamp) {
        return sendSigned(net, d, body(d, name, multiaddrs, restUrl, coordinators, timestamp),
                RegistrySignature.Purpose.ANNOUNCE, net.id);
    }

    HttpResponse<String> sendSigned(Net net, DeviceIdentity signer, byte[] body, RegistrySignature.Purpose purpose,
                                    String signedFor) {
        return send(HttpRequest.newBuilder(URI.create(url + "/network/" + net.id + "/announce"))
                .header("Authorization", "Bearer " + net.token)
                .header(RegistrySignature.HEADER, RegistrySignature.sign(signer, purpose, signedFor, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    HttpResponse<String> sendAnnouncement(String networkId, String token, DeviceIdentity d, byte[] body, String signedFor) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + "/network/" + networkId + "/announce"))
                .header(RegistrySignature.HEADER, RegistrySignature.sign(d, RegistrySignature.Purpose.ANNOUNCE, signedFor, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return send(r);
    }

    HttpResponse<String> heartbeat(Net net, DeviceIdentity c, int load, List<String> multiaddrs, long timestamp) {
        return sendHeartbeat(net, c, JSON.writeValueAsBytes(new CoordinatorHeartbeat(1, c.deviceId().toString(), load,
                multiaddrs, timestamp)));
    }

    HttpResponse<String> sendHeartbeat(Net net, DeviceIdentity signer, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url + "/coordinator/heartbeat"))
                .header("Authorization", "Bearer " + net.token)
                .header(RegistrySignature.HEADER, RegistrySignature.sign(signer, RegistrySignature.Purpose.HEARTBEAT, net.id, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static HttpResponse<String> get(String uri, String token) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(uri)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return send(r);
    }

    static HttpResponse<String> post(String uri, String body, Map<String, String> headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(r::header);
        return send(r);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    /** Asserts an RFC 9457 problem of {@code status} whose type ends in {@code slug}. */
    static void problem(HttpResponse<String> r, int status, String slug) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("type").asString()).isEqualTo(RegistryProblem.PROBLEM_BASE + slug);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("detail").asString()).isNotBlank();
    }
}
