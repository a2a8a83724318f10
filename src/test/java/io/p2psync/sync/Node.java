package io.p2psync.sync;

import io.p2psync.P2pSyncApplication;
import io.p2psync.devices.RequestSignature;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One real p2p-sync node for end-to-end tests: its own context, SQLite file and HTTP port. */
public final class Node implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final String name;
    public final ConfigurableApplicationContext context;
    public final String url;
    public final PeerId id;

    private Node(String name, ConfigurableApplicationContext context) {
        this.name = name;
        this.context = context;
        this.url = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        this.id = context.getBean(DeviceIdentity.class).deviceId();
    }

    public static Node start(String name, Path dataDir, String... extraProperties) {
        return start(name, dataDir, List.of(), extraProperties);
    }

    /**
     * A node whose context also holds {@code extraSources} (test configuration). An extra property overrides a
     * default of the same name.
     */
    public static Node start(String name, Path dataDir, List<Class<?>> extraSources, String... extraProperties) {
        List<String> props = new ArrayList<>(List.of(
                "p2psync.data-dir=" + dataDir,
                "p2psync.device-name=" + name,
                "server.port=0",
                "server.address=127.0.0.1",
                "p2psync.libp2p.enabled=false",
                "spring.main.banner-mode=off"));
        for (String extra : extraProperties) {
            String key = extra.substring(0, extra.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(extra);
        }
        List<Class<?>> sources = new ArrayList<>(List.of(P2pSyncApplication.class));
        sources.addAll(extraSources);
        // As command-line arguments: they outrank application.yml (default properties would not).
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        return new Node(name, context);
    }

    /** Pairs: this node adds and authorizes {@code other} with its url. */
    public void pairWith(Node other) {
        Response r = post("/devices", "{\"deviceId\":\"" + other.id + "\",\"name\":\"" + other.name
                + "\",\"url\":\"" + other.url + "\"}");
        if (r.status() / 100 != 2) {
            throw new AssertionError("pairing failed: " + r);
        }
    }

    public void put(String key, String value) {
        Response r = send(HttpRequest.newBuilder(URI.create(url + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).header("Content-Type", "text/plain"));
        if (r.status() / 100 != 2) {
            throw new AssertionError("PUT /kv/" + key + " failed: " + r);
        }
    }

    /** The live key-value pairs. */
    public Map<String, String> kv() {
        JsonNode list = get("/kv").json();
        Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode e : list) {
            out.put(e.get("key").asString(), e.get("value").asString());
        }
        return out;
    }

    long logEntries() {
        return get("/status").json().get("logEntries").asLong();
    }

    JsonNode device(PeerId deviceId) {
        for (JsonNode d : get("/devices").json()) {
            if (d.get("deviceId").asString().equals(deviceId.toString())) {
                return d;
            }
        }
        return null;
    }

    public JsonNode syncNow() {
        Response r = post("/sync/now", "");
        if (r.status() != 200) {
            throw new AssertionError("sync/now failed: " + r);
        }
        return r.json();
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    /**
     * The reason of the {@code sync} part of {@code /actuator/health} (details are shown to a loopback caller), after
     * checking that health answers 503 with that part OUT_OF_SERVICE.
     */
    public String outOfServiceReason() {
        Response health = get("/actuator/health");
        org.assertj.core.api.Assertions.assertThat(health.status()).as("health on %s: %s", this, health).isEqualTo(503);
        JsonNode sync = health.json().path("components").path("sync");
        org.assertj.core.api.Assertions.assertThat(sync.path("status").asString()).as("%s", sync)
                .isEqualTo("OUT_OF_SERVICE");
        return sync.path("details").path("reason").asString();
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json"));
    }

    /** A POST signed by {@code key}, as another device would send it. */
    Response signedPost(PrivateKey key, String path, byte[] body, Map<String, String> extraHeaders) {
        return sendSigned(path, body, extraHeaders,
                RequestSignature.sign(key, "POST", path, id, Instant.now(), body));
    }

    /** Sends exactly these signature headers (to replay a request). */
    Response sendSigned(String path, byte[] body, Map<String, String> extraHeaders, Map<String, String> signature) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        extraHeaders.forEach(b::header);
        signature.forEach(b::header);
        return send(b);
    }

    public static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Content-Encoding").orElse(""), r.body(),
                    r.headers().firstValue("Retry-After").orElse(""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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

    /** An answer; the body is decoded from gzip if it was sent so. {@code retryAfter} is "" if not sent. */
    public record Response(int status, String contentType, String contentEncoding, byte[] raw, String retryAfter) {
        public Response(int status, String contentType, String contentEncoding, byte[] raw) {
            this(status, contentType, contentEncoding, raw, "");
        }

        public String body() {
            if (!contentEncoding.equalsIgnoreCase("gzip")) {
                return new String(raw, StandardCharsets.UTF_8);
            }
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        public JsonNode json() {
            return JSON.readTree(body());
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + body();
        }
    }
}
