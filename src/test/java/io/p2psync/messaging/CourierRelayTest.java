package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.sync.PeerLocator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.util.unit.DataSize;

/**
 * The courier as a relay of messages, on a real database with the migrations applied; the host and the protocol
 * (the other devices) are mocked: held messages handed on while a hand-on runs, and acks that the origin refuses
 * for now.
 */
class CourierRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private SingleConnectionDataSource ds;
    private MessageRepository messages;
    private ThreadPoolExecutor workers;
    private final DeviceIdentity relay = new DeviceIdentity(PrivateKey.generate());
    private final DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
    private final DeviceIdentity target = new DeviceIdentity(PrivateKey.generate());
    private final Host host = mock(Host.class);
    private final MessageProtocol protocol = mock(MessageProtocol.class);
    private final ConcurrentLinkedQueue<Frame> requests = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void database() {
        ds = new SingleConnectionDataSource("jdbc:sqlite:" + dir.resolve("relay.db"), true);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        messages = new MessageRepository(JdbcClient.create(ds));
        workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64));
        when(host.isConnected(any())).thenReturn(true);
        when(host.connectedPeers()).thenReturn(Set.of(origin.deviceId(), target.deviceId()));
    }

    @AfterEach
    void stop() {
        workers.shutdownNow();
        ds.destroy();
    }

    @Test
    void aMessageHeldWhileAHandOnRunsIsHandedOnBeforeItEnds() {
        CompletableFuture<Frame> firstAnswer = new CompletableFuture<>();
        answer(request -> {
            if (request.type() == MessageType.ACK) {
                return CompletableFuture.completedFuture(request); // the origin takes the ack back
            }
            SignedMessage m = request.message().toDomain();
            Frame taken = Frame.ack(Ack.sign(target, m, 5L));
            return m.id().equals("first") ? firstAnswer.thenApply(ignored -> taken) : CompletableFuture.completedFuture(taken);
        });
        Courier courier = courier();

        hold("first");
        courier.forwardHeld(target.deviceId());
        await().atMost(WAIT).until(() -> handedOn().contains("first"));
        hold("second"); // held while the hand-on of the first waits for the target's answer
        courier.forwardHeld(target.deviceId());
        firstAnswer.complete(null);

        await().atMost(WAIT).until(() -> handedOn().contains("second"));
        await().atMost(WAIT).until(() -> status("second").equals("RETURNED"));
        assertThat(status("first")).isEqualTo("RETURNED");
    }

    @Test
    void anAckTheOriginRefusesForNowIsKeptAndReturnedOnTheNextPass() {
        List<Frame> ackAnswers = new ArrayList<>(List.of(Frame.refused(503, "starting", "this node is starting")));
        answer(request -> {
            if (request.type() == MessageType.ACK) {
                synchronized (ackAnswers) {
                    return CompletableFuture.completedFuture(ackAnswers.isEmpty() ? request : ackAnswers.remove(0));
                }
            }
            return CompletableFuture.completedFuture(Frame.ack(Ack.sign(target, request.message().toDomain(), 5L)));
        });
        Courier courier = courier();

        hold("note");
        courier.forwardHeld(target.deviceId());
        await().atMost(WAIT).until(() -> acksSent() == 1);
        assertThat(status("note")).as("the origin was starting: the ack stays").isEqualTo("ACKED");

        courier.retry(); // the periodic pass
        await().atMost(WAIT).until(() -> status("note").equals("RETURNED"));
        assertThat(acksSent()).isEqualTo(2);
    }

    @Test
    void anAckTheOriginRefusesForGoodIsNotSentAgain() {
        answer(request -> request.type() == MessageType.ACK
                ? CompletableFuture.completedFuture(Frame.refused(404, "unknown-message", "no such message"))
                : CompletableFuture.completedFuture(Frame.ack(Ack.sign(target, request.message().toDomain(), 5L))));
        Courier courier = courier();

        hold("gone");
        courier.forwardHeld(target.deviceId());
        await().atMost(WAIT).until(() -> status("gone").equals("RETURNED"));
        courier.retry();
        assertThat(acksSent()).isEqualTo(1);
    }

    private Courier courier() {
        MessagingSettings settings = new MessagingSettings(DataSize.ofKilobytes(64), DataSize.ofKilobytes(256),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(30), 2, Duration.ofDays(7), 1000, 20, Duration.ofSeconds(10));
        @SuppressWarnings("unchecked")
        ObjectProvider<PeerLocator> registry = mock(ObjectProvider.class);
        JdbcClient jdbc = JdbcClient.create(ds);
        return new Courier(relay, peer -> true, messages, new RouteCache(jdbc), new NetworkView(), protocol, settings,
                new MessageEvents(), () -> Optional.of(host), registry, workers,
                new QueryRateLimiter(20, Duration.ofSeconds(10)), Clock.systemUTC());
    }

    /** A message from the origin to the target, held here. */
    private void hold(String id) {
        SignedMessage m = SignedMessage.sign(origin, id, target.deviceId(), System.currentTimeMillis(), "hello " + id);
        assertThat(messages.insertRelay(m, origin.deviceId())).isTrue();
    }

    private void answer(Function<Frame, CompletableFuture<Frame>> devices) {
        when(protocol.call(eq(host), any(PeerId.class), any(Frame.class), any(Duration.class))).thenAnswer(call -> {
            Frame request = call.getArgument(2);
            requests.add(request);
            return devices.apply(request);
        });
    }

    private List<String> handedOn() {
        return requests.stream().filter(f -> f.type() == MessageType.CHAT_MESSAGE).map(f -> f.message().toDomain().id())
                .toList();
    }

    private long acksSent() {
        return requests.stream().filter(f -> f.type() == MessageType.ACK).count();
    }

    private String status(String id) {
        return JdbcClient.create(ds).sql("SELECT status FROM sync_messages WHERE id = ? AND direction = 'relay'")
                .param(id).query(String.class).single();
    }
}
