package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.util.unit.DataSize;

/** FileSender alone, its collaborators mocked: what happens when an attempt breaks on an unexpected error. */
@ExtendWith(OutputCaptureExtension.class)
class FileSenderTest {

    @TempDir
    Path dir;
    private final ExecutorService workers = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void aDatabaseErrorInATransferIsLoggedShownAndTheTransferGoesOn(CapturedOutput output) throws Exception {
        DeviceIdentity identity = new DeviceIdentity(PrivateKey.generate());
        PeerId self = identity.deviceId();
        PeerId target = PrivateKey.generate().peerId();
        byte[] body = "a short file".getBytes();
        Path file = dir.resolve("outgoing");
        Files.write(file, body);
        FileManifest m = FileManifest.sign(identity, "f-1", target, "note.txt", body.length,
                SignedMessage.sha256Hex(body), 1024);
        FileTransfer pending = new FileTransfer("f-1", "out", self.toString(), target.toString(), "note.txt",
                body.length, m.sha256(), "PENDING", 0, 0, 0, Instant.now(), Instant.now(), null, file.toString(), null,
                null, null);

        FileTransferRepository transfers = mock(FileTransferRepository.class);
        when(transfers.manifest(self, "f-1", "out")).thenReturn(Optional.of(m));
        when(transfers.find(self, "f-1", "out")).thenReturn(Optional.of(pending));
        // the first session cannot be recorded: the database is gone for a moment
        AtomicInteger sessions = new AtomicInteger();
        doAnswer(call -> {
            if (sessions.incrementAndGet() == 1) {
                throw new DataAccessResourceFailureException("database is locked");
            }
            return null;
        }).when(transfers).beginSession(eq(self), eq("f-1"), eq("out"), eq("SENDING"), anyLong());
        Host host = mock(Host.class);
        Courier courier = mock(Courier.class);
        when(courier.reach(host, target)).thenReturn(true);
        MessageProtocol protocol = mock(MessageProtocol.class);
        when(protocol.call(eq(host), eq(target), any(Frame.class), any(Duration.class))).thenReturn(
                CompletableFuture.completedFuture(Frame.chunkAck(new Frame.ChunkAck("f-1", body.length, true))));
        MessagingSettings messaging = new MessagingSettings(DataSize.ofKilobytes(64), DataSize.ofKilobytes(256),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMinutes(30), 2, Duration.ofDays(7), 1000, 20, Duration.ofSeconds(10));
        FileSender sender = new FileSender(identity, p -> true, transfers, protocol, courier,
                new FileSettings(DataSize.ofMegabytes(1), DataSize.ofKilobytes(1), DataSize.ofMegabytes(1)), messaging,
                () -> Optional.of(host), workers, dir, Clock.systemUTC());

        sender.dispatch("f-1");

        // shown on the transfer, and tried again without waiting for a connect or the retry pass (30 min here)
        verify(transfers, timeout(20_000)).status(eq(self), eq("f-1"), eq("out"), eq("INTERRUPTED"),
                contains("database is locked"), anyLong());
        verify(transfers, timeout(20_000)).complete(eq(self), eq("f-1"), eq("out"), eq("COMPLETE"), eq((long) body.length),
                eq(file.toString()), eq(null), eq(null), anyLong());
        assertThat(output.getAll()).contains("files: sending f-1 failed").contains("database is locked");
        assertThat(sessions.get()).isEqualTo(2);
    }
}
