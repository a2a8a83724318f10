package io.p2psync.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.p2psync.P2pSyncApplication;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One real node with the live network on: its own context, SQLite file, HTTP port and libp2p port on 127.0.0.1. */
final class LiveTestNode implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final String name;
    final ConfigurableApplicationContext context;
    final String url;
    final PeerId id;

    private LiveTestNode(String name, ConfigurableApplicationContext context) {
        this.name = name;
        this.context = context;
        this.url = "http://" + context.getEnvironment().getProperty("server.address") + ":"
                + context.getEnvironment().getProperty("local.server.port");
        this.id = context.getBean(DeviceIdentity.class).deviceId();
    }

    /** Starts a node; a property in {@code extraProperties} replaces the default of the same name. */
    static LiveTestNode start(String name, Path dataDir, String... extraProperties) {
        List<String> props = new ArrayList<>(List.of(
                "p2psync.data-dir=" + dataDir,
                "p2psync.device-name=" + name,
                "server.port=0",
                "server.address=127.0.0.1",
                "p2psync.libp2p.enabled=true",
                "p2psync.libp2p.host=127.0.0.1",
                "p2psync.libp2p.port=0",
                "p2psync.libp2p.mdns=false",
                "spring.main.banner-mode=off"));
        for (String extra : extraProperties) { // a test's own value of a property replaces the default above
            String key = extra.substring(0, extra.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(extra);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(P2pSyncApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        return new LiveTestNode(name, context);
    }

    /** This node adds and authorizes {@code other} with its url. */
    void pairWith(LiveTestNode other) {
        authorize(other.id, other.name, other.url);
    }

    /** Adds and authorizes a device; {@code url} may be null. */
    void authorize(PeerId device, String deviceName, String deviceUrl) {
        String body = "{\"deviceId\":\"" + device + "\",\"name\":\"" + deviceName + "\""
                + (deviceUrl == null ? "" : ",\"url\":\"" + deviceUrl + "\"") + "}";
        int status = send(HttpRequest.newBuilder(URI.create(url + "/devices"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")).statusCode();
        if (status / 100 != 2) {
            throw new AssertionError("pairing failed: " + status);
        }
    }

    void put(String key, String value) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).header("Content-Type", "text/plain"));
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("PUT /kv/" + key + " failed: " + r.statusCode() + " " + r.body());
        }
    }

    /** The live value of {@code key}, or empty if there is none. */
    Optional<String> get(String key) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/kv/" + key)).GET());
        return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body()).get("value").asString()) : Optional.empty();
    }

    JsonNode status() {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(url + "/status")).GET()).body());
    }

    LiveNode live() {
        return context.getBean(LiveNode.class);
    }

    /** How many gossip messages this node dropped for {@code reason}. */
    double dropped(DropReason reason) {
        Counter c = context.getBean(MeterRegistry.class).find(LiveMetrics.DROPPED).tag("reason", reason.code()).counter();
        return c == null ? 0 : c.count();
    }

    /** Rounds with {@code peer} that the per-peer scheduler ran for {@code trigger} and that completed. */
    double rounds(LiveTestNode peer, String trigger) {
        return context.getBean(MeterRegistry.class).find("p2psync.sync.rounds").tag("peer", peer.id.toString())
                .tag("trigger", trigger).counters().stream()
                .filter(c -> !c.getId().getTag("outcome").equals("failed") && !c.getId().getTag("outcome").equals("skipped"))
                .mapToDouble(Counter::count).sum();
    }

    double applied() {
        Counter c = context.getBean(MeterRegistry.class).find("p2psync.gossip.applied").counter();
        return c == null ? 0 : c.count();
    }

    /** True once this node has every one of {@code peers} connected and in the topic. */
    boolean meshedWith(LiveTestNode... peers) {
        for (LiveTestNode p : peers) {
            if (!live().topicPeers().contains(p.id)) {
                return false;
            }
        }
        return true;
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
