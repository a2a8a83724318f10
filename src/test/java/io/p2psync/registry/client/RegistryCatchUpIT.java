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
 * Three real nodes: B serves the registry, A and C use it. A has C authorized with no url and no libp2p connection
 * (the live network is off), so nothing near A knows where C is; C announces itself, and A's sync round finds C's
 * REST url through the registry and brings C's data over. Then the registry goes away, and A runs on.
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
        ConfigurableApplicationContext b = start("b", "127.0.0.1", "p2psync.registry.server.enabled=true");
        String registry = url(b);
        JsonNode network = JSON.readTree(send(HttpRequest.newBuilder(URI.create(registry + "/network"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"family\"}"))
                .header("Content-Type", "application/json")).body());
        String[] client = {"p2psync.registry.url=" + registry,
                "p2psync.registry.network=" + network.get("networkId").asString(),
                "p2psync.registry.token=" + network.get("token").asString()};

        ConfigurableApplicationContext c = start("c", "127.0.0.3", client);
        ConfigurableApplicationContext a = start("a", "127.0.0.2", client);
        PeerId aId = a.getBean(DeviceIdentity.class).deviceId();
        PeerId cId = c.getBean(DeviceIdentity.class).deviceId();
        authorize(a, cId, "c"); // no url: A does not know where C is
        authorize(c, aId, "a");
        put(c, "greeting", "hello from C");

        // C announced itself when it was ready; A's client finds it there
        RegistryClient lookup = a.getBean(RegistryClient.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> lookup.lookup(cId.toString()).isPresent());
        Presence found = lookup.lookup(cId.toString()).orElseThrow();
        assertThat(found.online()).isTrue();
        assertThat(found.restUrl()).isEqualTo(url(c));

        JsonNode rounds = JSON.readTree(send(HttpRequest.newBuilder(URI.create(url(a) + "/sync/now"))
                .POST(HttpRequest.BodyPublishers.noBody())).body());
        assertThat(rounds).hasSize(1);
        assertThat(rounds.get(0).get("peer").asString()).isEqualTo(cId.toString());
        assertThat(rounds.get(0).get("completed").asBoolean()).as(rounds.toString()).isTrue();
        assertThat(rounds.get(0).get("pulled").asInt()).isPositive();
        assertThat(get(a, "greeting")).contains("hello from C");

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
        props.addAll(List.of(extra));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(P2pSyncApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        nodes.add(context);
        return context;
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
