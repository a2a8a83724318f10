package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.util.unit.DataSize;

/**
 * A file half received before V18, when partial files lay at {@code files/partial/<id>}: after the upgrade the
 * transfer goes on in that file from its recorded bytes, and nothing is left behind.
 */
class FileReceiverUpgradeTest {

    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    @Test
    void aTransferHalfReceivedBeforeTheUpgradeGoesOnInItsOldPartialFile() throws Exception {
        DeviceIdentity me = new DeviceIdentity(PrivateKey.generate());
        DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
        byte[] body = new byte[2 * CHUNK + 100];
        new Random(6).nextBytes(body);
        FileManifest m = FileManifest.sign(origin, "f-old", me.deviceId(), "old.bin", body.length, Chunks.sha256(body),
                CHUNK);
        Path dataDir = dir.resolve("data");
        Path oldPartial = dataDir.resolve("files").resolve("partial").resolve("f-old");
        Files.createDirectories(oldPartial.getParent());
        Files.write(oldPartial, Arrays.copyOf(body, CHUNK)); // the first chunk, confirmed before the upgrade

        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + dir.resolve("node.db"), true);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("17").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            jdbc.sql("INSERT INTO sync_file_transfers (id, direction, from_device, to_device, name, size, sha256,"
                            + " chunk_size, created_at, signature, file, status, bytes_done) VALUES"
                            + " (?, 'in', ?, ?, ?, ?, ?, ?, 1000, ?, ?, 'RECEIVING', ?)")
                    .params(m.id(), origin.deviceId().toString(), me.deviceId().toString(), m.name(), m.size(),
                            m.sha256(), m.chunkSize(), m.signature(), oldPartial.toString(), CHUNK)
                    .update();
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            FileTransferRepository transfers = new FileTransferRepository(jdbc);
            FileReceiver receiver = new FileReceiver(me, p -> true, transfers,
                    new FileSettings(DataSize.ofMegabytes(1), DataSize.ofBytes(CHUNK), DataSize.ofMegabytes(1)),
                    dataDir, Clock.systemUTC());

            // the sender, after the upgrade, sends from where the receiver confirmed
            Frame first = receiver.serve(origin.deviceId(), chunk(m, body, CHUNK));
            assertThat(first.type()).as(String.valueOf(first.refusal())).isEqualTo(MessageType.CHUNK_ACK);
            assertThat(first.next().next()).isEqualTo(2 * CHUNK);
            Frame last = receiver.serve(origin.deviceId(), chunk(m, body, 2 * CHUNK));

            assertThat(last.type()).as(String.valueOf(last.refusal())).isEqualTo(MessageType.CHUNK_ACK);
            assertThat(last.next().complete()).isTrue();
            Path received = dataDir.resolve("files").resolve("received").resolve(origin.deviceId().toString())
                    .resolve("f-old").resolve("old.bin");
            assertThat(Files.readAllBytes(received)).isEqualTo(body);
            assertThat(oldPartial).as("moved into place, not left behind").doesNotExist();
            assertThat(dataDir.resolve("files").resolve("partial").resolve(origin.deviceId().toString())
                    .resolve("f-old")).doesNotExist();
            assertThat(transfers.find(origin.deviceId(), "f-old", "in")).hasValueSatisfying(t -> {
                assertThat(t.status()).isEqualTo("COMPLETE");
                assertThat(t.resumedFrom()).as("resumed, not begun again").isEqualTo(CHUNK);
            });
        } finally {
            ds.destroy();
        }
    }

    private static Frame.WireChunk chunk(FileManifest m, byte[] body, long offset) {
        byte[] data = Arrays.copyOfRange(body, (int) offset, (int) offset + m.chunkLength(offset));
        return new Frame.WireChunk(Frame.WireManifest.of(m), offset, Base64.getEncoder().encodeToString(data),
                Chunks.sha256(data));
    }
}
