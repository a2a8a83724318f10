package io.p2psync.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.P2pSyncApplication;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.registry.Presence;
import io.p2psync.testing.ScratchDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real nodes: B serves the registry, A, C and D use it. A has C and D authorized with no url and no libp2p
 * connection, so nothing near A knows where they are. A message from A reaches C through the messaging ladder's
 * registry rung, and A syncs with C. D announces a REST url nothing listens on and its libp2p addresses: A's round
 * never tries an announced url (its answer would prove no identity), dials the addresses
 * and syncs over libp2p. Then the registry goes away, and A runs on.
 */
class RegistryCatchUpIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ConfigurableApplicationContext::close);
        dirs.forEach(ScratchDirs::delete);
    }

    @Test
    void aFindsCThroughTheRegistryAndSyncsWithItAndRunsOnWithoutIt() {
        ConfigurableApplicationContext b = start("b", "127.0.0.1", "p2psync.registry.server.enabled=true",
                "p2psync.registry.server.device-rate=1000"); // the clients below announce every second
        String registry = url(b);
        JsonNode network = JSON.readTree(send(HttpRequest.newBuilder(URI.create(registry + "/network"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"family\"}"))
                .header("Content-Type", "application/json")).body());
        String[] client = {"p2psync.registry.url=" + registry, "p2psync.registry.announce-interval=1s",
                "p2psync.registry.network=" + network.get("networkId").asString(),
                "p2psync.registry.token=" + network.get("token").asString()};

        // C announces its libp2p addresses (and its REST url, which A never uses)
        ConfigurableApplicationContext c = start("c", "127.0.0.3", with(client, libp2p("127.0.0.3")));
        // D runs libp2p and announces a REST url nothing listens on: only its multiaddrs reach it
        // D also holds a relay slot on C, so C is D's coordinator: D names it in its announcements, and C, relaying,
        // sends the registry its heartbeat
        String cAddress = c.getBean(io.p2psync.live.LiveNode.class).listenAddrs().get(0);
        ConfigurableApplicationContext d = start("d", "127.0.0.4", with(client, libp2p("127.0.0.4"),
                "p2psync.registry.rest-url=http://127.0.0.4:" + closedPort(),
                "p2psync.libp2p.relay.reserve-on=" + cAddress, "p2psync.libp2p.relay.retry-interval=1s"));
        ConfigurableApplicationContext a = start("a", "127.0.0.2", with(client, libp2p("127.0.0.2")));
        PeerId aId = a.getBean(DeviceIdentity.class).deviceId();
        PeerId cId = c.getBean(DeviceIdentity.class).deviceId();
        PeerId dId = d.getBean(DeviceIdentity.class).deviceId();
        authorize(a, cId, "c"); // no url: A does not know where C is
        authorize(a, dId, "d"); // nor where D is
        authorize(c, aId, "a");
        authorize(d, aId, "a");
        authorize(c, dId, "d"); // C relays for authorized devices only
        put(c, "greeting", "hello from C");
        put(d, "weather", "sunny at D");

        // C announced itself when it was ready; A's client finds it there
        RegistryClient lookup = a.getBean(RegistryClient.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> lookup.lookup(cId.toString()).isPresent()
                && lookup.lookup(dId.toString()).isPresent());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(lookup.lookup(dId.toString()).orElseThrow()
                .lastCoordinators()).singleElement().satisfies(coordinator -> {
                    assertThat(coordinator.deviceId()).isEqualTo(cId.toString());
                    assertThat(coordinator.online()).isTrue();
                    assertThat(coordinator.load()).isPositive(); // D's reservation
                }));
        Presence found = lookup.lookup(cId.toString()).orElseThrow();
        assertThat(found.online()).isTrue();
        assertThat(found.restUrl()).isEqualTo(url(c));
        assertThat(lookup.lookup(dId.toString()).orElseThrow().multiaddrs()).isNotEmpty();

        // a message from A to C: no libp2p connection, no cached route and no connected peer knows C, so the
        // messaging ladder's registry rung finds it
        HttpResponse<String> sent = send(HttpRequest.newBuilder(URI.create(url(a) + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + cId + "\",\"content\":\"found you\"}"))
                .header("Content-Type", "application/json"));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String message = JSON.readTree(sent.body()).get("id").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> "DELIVERED".equals(messageAt(a, message).get("status").asString()));
        assertThat(messageAt(a, message).get("path").asString()).isEqualTo("REGISTRY");
        assertThat(messageAt(c, message).get("content").asString()).isEqualTo("found you");

        JsonNode rounds = JSON.readTree(send(HttpRequest.newBuilder(URI.create(url(a) + "/sync/now"))
                .POST(HttpRequest.BodyPublishers.noBody())).body());
        assertThat(rounds).hasSize(2);
        for (JsonNode round : rounds) {
            assertThat(round.get("completed").asBoolean()).as(rounds.toString()).isTrue();
            if (round.get("peer").asString().equals(dId.toString())) {
                // D announced a REST url nothing listens on: the round reached D over libp2p at the multiaddrs it
                // announced, since the REST url a registry hands out is never used (its answer proves no identity)
                assertThat(round.get("pulled").asInt()).as(rounds.toString()).isPositive();
                assertThat(round.get("via").asString()).as(rounds.toString()).isEqualTo("libp2p");
            }
            // C's data may have come on the message's connection already, and C may have told A its REST url
            // over that authenticated connection (the live network's catch-up on connect uses such a url), so
            // C's round may run over either
        }
        assertThat(get(a, "greeting")).contains("hello from C");
        assertThat(get(a, "weather")).contains("sunny at D");

        // with the registry gone, A runs on: its own API works, and asking the registry answers nothing
        b.close();
        nodes.remove(b);
        put(a, "still", "works");
        assertThat(get(a, "still")).contains("works");
        assertThat(lookup.lookup(cId.toString())).isEmpty();
        assertThat(lookup.down()).isTrue();
        JsonNode status = JSON.readTree(send(HttpRequest.newBuilder(URI.create(url(a) + "/status")).GET()).body());
        assertThat(status.get("deviceId").asString()).isEqualTo(aId.toString());
    }

    private ConfigurableApplicationContext start(String name, String address, String... extra) {
        Path dir = ScratchDirs.create("registry-e2e-" + name + "-");
        dirs.add(dir);
        List<String> props = new ArrayList<>(List.of(
                "p2psync.data-dir=" + dir,
                "p2psync.device-name=" + name,
                "server.port=0",
                "server.address=" + address,
                "p2psync.libp2p.enabled=false",
                "p2psync.sync.auto=false",
                "spring.main.banner-mode=off"));
        for (String e : extra) { // a test's own value replaces the default of the same name
            String key = e.substring(0, e.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(e);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(P2pSyncApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        nodes.add(context);
        return context;
    }

    private static String[] libp2p(String host) {
        return new String[] {"p2psync.libp2p.enabled=true", "p2psync.libp2p.host=" + host, "p2psync.libp2p.port=0",
                "p2psync.libp2p.mdns=false"};
    }

    private static String[] with(String[] first, String[] second, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(second));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.4"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String url(ConfigurableApplicationContext node) {
        return "http://" + node.getEnvironment().getProperty("server.address") + ":"
                + node.getEnvironment().getProperty("local.server.port");
    }

    private static void authorize(ConfigurableApplicationContext node, PeerId device, String name) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url(node) + "/devices"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"" + device + "\",\"name\":\"" + name + "\"}"))
                .header("Content-Type", "application/json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static JsonNode messageAt(ConfigurableApplicationContext node, String id) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url(node) + "/messages/" + id)).GET());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static void put(ConfigurableApplicationContext node, String key, String value) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url(node) + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).header("Content-Type", "text/plain"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static Optional<String> get(ConfigurableApplicationContext node, String key) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url(node) + "/kv/" + key)).GET());
        return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body()).get("value").asString()) : Optional.empty();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
