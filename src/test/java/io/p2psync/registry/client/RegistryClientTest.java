package io.p2psync.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.registry.Presence;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** The client against a registry that is down and comes back: it backs off, and says so once each way. */
class RegistryClientTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RegistryClient.class);
    private final DeviceIdentity me = new DeviceIdentity(PrivateKey.generate());
    private HttpServer server;

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void logsOneLinePerOutageAndOneWhenTheRegistryIsBack() throws IOException {
        int port = freePort();
        RegistryClient client = client(port);
        AtomicInteger calls = new AtomicInteger();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            calls.incrementAndGet();
            assertThat(client.lookup(me.deviceId().toString())).isEmpty();
            return calls.get() >= 30;
        });
        assertThat(client.down()).isTrue();
        assertThat(lines(Level.WARN)).hasSize(1);
        assertThat(lines(Level.WARN).get(0)).contains("cannot be reached");

        AtomicInteger served = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        server.createContext("/", exchange -> {
            served.incrementAndGet();
            byte[] body = "{\"type\":\"urn:p2psync:problem:registry-unknown-peer\",\"status\":404,\"detail\":\"no\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.lookup(me.deviceId().toString()).isEmpty() && !client.down());
        assertThat(served.get()).isPositive();
        assertThat(lines(Level.INFO)).filteredOn(l -> l.contains("answers again")).hasSize(1);
        assertThat(lines(Level.WARN)).hasSize(1);
    }

    @Test
    void announcesASignedBodyTheRegistryCanCheck() throws Exception {
        int port = freePort();
        java.util.concurrent.atomic.AtomicReference<byte[]> body = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> signature = new java.util.concurrent.atomic.AtomicReference<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        server.createContext("/network/net-1/announce", exchange -> {
            body.set(exchange.getRequestBody().readAllBytes());
            signature.set(exchange.getRequestHeaders().getFirst(io.p2psync.registry.RegistrySignature.HEADER));
            byte[] answer = JsonMapper.builder().build().writeValueAsBytes(new Presence(me.deviceId().toString(), null,
                    true, java.time.Instant.now(), List.of(), "http://127.0.0.1:1", List.of()));
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        Presence p = client(port).announce(List.of(), "http://127.0.0.1:1", List.of());
        assertThat(p.restUrl()).isEqualTo("http://127.0.0.1:1");
        assertThat(io.p2psync.registry.RegistrySignature.verify(me.deviceId(),
                io.p2psync.registry.RegistrySignature.Purpose.ANNOUNCE, "net-1", body.get(), signature.get())).isTrue();
        assertThat(io.p2psync.registry.RegistrySignature.verify(me.deviceId(),
                io.p2psync.registry.RegistrySignature.Purpose.ANNOUNCE, "net-2", body.get(), signature.get())).isFalse();
    }

    private RegistryClient client(int port) {
        RegistryClientSettings settings = new RegistryClientSettings("http://127.0.0.1:" + port, "net-1", "token", null,
                null, Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofMillis(5), Duration.ofMillis(20));
        return new RegistryClient(settings, me, JsonMapper.builder().build(), Clock.systemUTC());
    }

    private List<String> lines(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
