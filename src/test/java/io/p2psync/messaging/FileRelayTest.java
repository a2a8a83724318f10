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
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.util.unit.DataSize;

/**
 * FileRelay alone, on a real database with the migrations applied and real files; the host and the protocol
 * (the other devices) are mocked: when held files are handed on, when receipts go back, and how expiry meets a
 * chunk being written.
 */
class FileRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CHUNK = 1024;

    @TempDir
    Path dir;
    private SingleConnectionDataSource ds;
    private FileTransferRepository transfers;
    private ThreadPoolExecutor workers;
    private final DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
    private final DeviceIdentity target = new DeviceIdentity(PrivateKey.generate());
    private final Host host = mock(Host.class);
    private final MessageProtocol protocol = mock(MessageProtocol.class);
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    /** Every request the relay made of another device, in order. */
    private final ConcurrentLinkedQueue<Frame> requests = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void database() {
        ds = new SingleConnectionDataSource("jdbc:sqlite:" + dir.resolve("relay.db"), true);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        transfers = new FileTransferRepository(JdbcClient.create(ds));
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
    void aFileHeldWholeWhileAHandOnRunsIsHandedOnBeforeItEnds() throws Exception {
        // the target takes every file at once; its answer to the first is held back until the second is held
        CompletableFuture<Frame> firstAnswer = new CompletableFuture<>();
        answer(request -> {
            if (request.type() == MessageType.FILE_RECEIPT) {
                return CompletableFuture.completedFuture(request);
            }
            FileManifest m = request.chunk().manifest().toDomain();
            Frame taken = takenByTarget(m);
            if (m.id().equals("first")) {
                return firstAnswer.thenApply(ignored -> taken);
            }
            return CompletableFuture.completedFuture(taken);
        });
        FileRelay relay = relay();

        holdWhole(relay, "first", 100);
        await().atMost(WAIT).until(() -> handedOn("first") > 0);
        holdWhole(relay, "second", 100);
        // the second's hand-on found the first one running and returned
        await().atMost(WAIT).until(() -> workers.getCompletedTaskCount() == 1);
        firstAnswer.complete(null);

        await().atMost(WAIT).until(() -> "RETURNED".equals(status("first")));
        await().atMost(WAIT).until(() -> "RETURNED".equals(status("second")));
        assertThat(handedOn("second")).isEqualTo(1);
        assertThat(dir.resolve("files").resolve("relay").resolve(origin.deviceId().toString()).resolve("second"))
                .doesNotExist();
    }

    @Test
    void theRetryPassHandsOnAFileWhoseHandOnWasCut() throws Exception {
        AtomicBoolean linkUp = new AtomicBoolean(false);
        answer(request -> {
            if (request.type() == MessageType.FILE_RECEIPT) {
                return CompletableFuture.completedFuture(request);
            }
            if (!linkUp.get()) {
                return CompletableFuture.failedFuture(new java.io.IOException("stream reset"));
            }
            return CompletableFuture.completedFuture(takenByTarget(request.chunk().manifest().toDomain()));
        });
        FileRelay relay = relay();

        holdWhole(relay, "cut", 100);
        await().atMost(WAIT).until(() -> workers.getCompletedTaskCount() == 1);
        assertThat(status("cut")).as("the hand-on was cut").isEqualTo("HELD");

        linkUp.set(true);
        relay.retry(); // no new connect: only the retry pass can hand it on
        await().atMost(WAIT).until(() -> "RETURNED".equals(status("cut")));
    }

    @Test
    void aReceiptRefusedForNowIsKeptAndReturnedLater() throws Exception {
        List<Frame> receiptAnswers = new ArrayList<>(List.of(Frame.refused(503, "starting", "this node is starting")));
        answer(request -> {
            if (request.type() == MessageType.FILE_RECEIPT) {
                synchronized (receiptAnswers) {
                    return CompletableFuture.completedFuture(receiptAnswers.isEmpty() ? request : receiptAnswers.remove(0));
                }
            }
            return CompletableFuture.completedFuture(takenByTarget(request.chunk().manifest().toDomain()));
        });
        FileRelay relay = relay();

        holdWhole(relay, "receipt", 100);
        await().atMost(WAIT).until(() -> workers.getCompletedTaskCount() == 1);
        assertThat(receiptsSent()).as("the receipt went back once, refused 503").isEqualTo(1);
        assertThat(status("receipt")).as("the origin was starting: the receipt stays").isEqualTo("DELIVERED");

        relay.forward(origin.deviceId()); // the origin connects again
        await().atMost(WAIT).until(() -> "RETURNED".equals(status("receipt")));
    }

    @Test
    void aReceiptTheOriginRefusesForGoodIsNotSentAgain() throws Exception {
        answer(request -> {
            if (request.type() == MessageType.FILE_RECEIPT) {
                return CompletableFuture.completedFuture(Frame.refused(404, "unknown-file", "no such file"));
            }
            return CompletableFuture.completedFuture(takenByTarget(request.chunk().manifest().toDomain()));
        });
        FileRelay relay = relay();

        holdWhole(relay, "unknown", 100);
        await().atMost(WAIT).until(() -> "RETURNED".equals(status("unknown")));
        assertThat(FileRelay.refusedForGood(new Frame.Refusal(500, "internal-error", ""))).isFalse();
        assertThat(FileRelay.refusedForGood(new Frame.Refusal(429, "rate-limited", ""))).isFalse();
        assertThat(FileRelay.refusedForGood(new Frame.Refusal(421, "misdirected", ""))).isTrue();
    }

    @Test
    void aHeldFileExpiringWhileAChunkIsWrittenLeavesNoFileBehind() throws Exception {
        answer(request -> new CompletableFuture<>()); // the target is never reached here
        when(host.isConnected(any())).thenReturn(false);
        AtomicBoolean armed = new AtomicBoolean(false);
        FileRelay[] relay = new FileRelay[1];
        Thread[] expiring = new Thread[1];
        // expiry starts just after the relay read how far the file got, before it writes the next chunk
        FileTransferRepository racing = new FileTransferRepository(JdbcClient.create(ds)) {
            @Override
            long bytesDone(PeerId from, String id, String direction) {
                long done = super.bytesDone(from, id, direction);
                if (armed.getAndSet(false)) {
                    expiring[0] = new Thread(relay[0]::expire, "expire");
                    expiring[0].start();
                    // it either ran through, or waits for a lock this thread holds: the chunk being written
                    long writer = Thread.currentThread().getId();
                    await().atMost(WAIT).until(() -> expiring[0].getState() == Thread.State.TERMINATED
                            || expiring[0].getState() == Thread.State.BLOCKED && ManagementFactory.getThreadMXBean()
                                    .getThreadInfo(expiring[0].getId()).getLockOwnerId() == writer);
                }
                return done;
            }
        };
        relay[0] = new FileRelay(p -> true, racing, files(), messaging(), protocol, () -> Optional.of(host), workers,
                dir, clock());
        byte[] body = body(3 * CHUNK);
        FileManifest m = manifest("expiring", body);
        assertThat(relay[0].serve(origin.deviceId(), chunk(m, body, 0)).next().next()).isEqualTo(CHUNK);

        now.addAndGet(Duration.ofDays(8).toMillis()); // past the retention
        armed.set(true);
        relay[0].serve(origin.deviceId(), chunk(m, body, CHUNK));
        expiring[0].join(WAIT.toMillis());

        Path held = dir.resolve("files").resolve("relay").resolve(origin.deviceId().toString()).resolve("expiring");
        assertThat(transfers.find(origin.deviceId(), "expiring", "relay")).as("expired").isEmpty();
        assertThat(held).as("no held bytes outside the quota's count").doesNotExist();
    }

    // ---- helpers

    private void answer(Function<Frame, CompletableFuture<Frame>> device) {
        when(protocol.call(eq(host), any(PeerId.class), any(Frame.class), any(Duration.class))).thenAnswer(call -> {
            Frame request = call.getArgument(2);
            requests.add(request);
            return device.apply(request);
        });
    }

    private Frame takenByTarget(FileManifest m) {
        FileReceipt receipt = FileReceipt.sign(target, m, now.get());
        return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true, Frame.WireReceipt.of(receipt)));
    }

    private FileRelay relay() {
        return new FileRelay(p -> true, transfers, files(), messaging(), protocol, () -> Optional.of(host), workers,
                dir, clock());
    }

    /** Hands a file of {@code size} bytes (one chunk) to the relay, as its origin does. */
    private void holdWhole(FileRelay relay, String id, int size) {
        byte[] body = body(size);
        FileManifest m = manifest(id, body);
        Frame answer = relay.serve(origin.deviceId(), chunk(m, body, 0));
        assertThat(answer.type()).isEqualTo(MessageType.CHUNK_ACK);
        assertThat(answer.next().complete()).isTrue();
    }

    private FileManifest manifest(String id, byte[] body) {
        return FileManifest.sign(origin, id, target.deviceId(), id + ".bin", body.length, Chunks.sha256(body), CHUNK);
    }

    private static Frame.WireChunk chunk(FileManifest m, byte[] body, long offset) {
        byte[] data = Arrays.copyOfRange(body, (int) offset, (int) offset + m.chunkLength(offset));
        return new Frame.WireChunk(Frame.WireManifest.of(m), offset, Base64.getEncoder().encodeToString(data),
                Chunks.sha256(data));
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        return body;
    }

    private long handedOn(String id) {
        return requests.stream().filter(r -> r.type() == MessageType.FILE_CHUNK && r.chunk().manifest().id().equals(id))
                .count();
    }

    private long receiptsSent() {
        return requests.stream().filter(r -> r.type() == MessageType.FILE_RECEIPT).count();
    }

    private String status(String id) {
        return transfers.status(origin.deviceId(), id, "relay");
    }

    private static FileSettings files() {
        return new FileSettings(DataSize.ofMegabytes(1), DataSize.ofBytes(CHUNK), DataSize.ofMegabytes(1));
    }

    private static MessagingSettings messaging() {
        return new MessagingSettings(DataSize.ofKilobytes(64), DataSize.ofKilobytes(256), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(30), 2,
                Duration.ofDays(7), 1000, 20, Duration.ofSeconds(10));
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }

            @Override
            public long millis() {
                return now.get();
            }
        };
    }
}
