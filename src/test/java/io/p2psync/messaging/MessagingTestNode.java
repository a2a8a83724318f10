package io.p2psync.messaging;

import io.p2psync.P2pSyncApplication;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveNode;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One real node for messaging tests: its own context, SQLite file, HTTP and libp2p ports on 127.0.0.1, TCP only
 * (a refused TCP dial fails at once, which keeps the ladder's dead ends short), driven over REST.
 */
final class MessagingTestNode implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final String name;
    final ConfigurableApplicationContext context;
    final String url;
    final PeerId id;

    private MessagingTestNode(String name, ConfigurableApplicationContext context) {
        this.name = name;
        this.context = context;
        this.url = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        this.id = context.getBean(DeviceIdentity.class).deviceId();
    }

    /** Starts a node; a property in {@code extra} replaces the default of the same name. */
    static MessagingTestNode start(String name, Path dataDir, String... extra) {
        List<String> props = new ArrayList<>(List.of(
                "p2psync.data-dir=" + dataDir,
                "p2psync.device-name=" + name,
                "server.port=0",
                "server.address=127.0.0.1",
                "p2psync.libp2p.enabled=true",
                "p2psync.libp2p.host=127.0.0.1",
                "p2psync.libp2p.port=0",
                "p2psync.libp2p.quic=false",
                "p2psync.libp2p.mdns=false",
                // the ladder's rungs are under test: the DHT would connect paired devices by itself
                "p2psync.libp2p.dht.enabled=false",
                "spring.main.banner-mode=off"));
        for (String e : extra) {
            String key = e.substring(0, e.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(e);
        }
        return new MessagingTestNode(name, new SpringApplicationBuilder(P2pSyncApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new)));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds and authorizes {@code other}, with its url or without (then this node never dials it by itself). */
    void authorize(MessagingTestNode other, boolean withUrl) {
        String body = "{\"deviceId\":\"" + other.id + "\",\"name\":\"" + other.name + "\""
                + (withUrl ? ",\"url\":\"" + other.url + "\"" : "") + "}";
        HttpResponse<String> r = post("/devices", body);
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("pairing failed: " + r.statusCode() + " " + r.body());
        }
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).DELETE());
    }

    /** Sends a message over REST; answers its JSON. */
    JsonNode sendMessage(MessagingTestNode to, String content) {
        HttpResponse<String> r = post("/messages", "{\"to\":\"" + to.id + "\",\"content\":" + JSON.writeValueAsString(content) + "}");
        if (r.statusCode() != 202) {
            throw new AssertionError("POST /messages answered " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    JsonNode message(String id) {
        HttpResponse<String> r = get("/messages/" + id);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    String status(String id) {
        JsonNode m = message(id);
        return m == null ? null : m.get("status").asString();
    }

    Host host() {
        return context.getBean(LiveNode.class).host().orElseThrow();
    }

    boolean connectedTo(MessagingTestNode other) {
        return context.getBean(LiveNode.class).host().map(h -> h.isConnected(other.id)).orElse(false);
    }

    /** This node's libp2p addresses with its id. */
    List<Multiaddr> addresses() {
        return host().listenAddresses().stream().map(a -> a.withPeerId(id)).toList();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
