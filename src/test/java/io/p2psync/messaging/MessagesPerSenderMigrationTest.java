package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** V18 on a file that has messages and transfers: every row stays, and ids become per sender. */
class MessagesPerSenderMigrationTest {

    @TempDir
    Path dir;

    @Test
    void keepsEveryRowAndKeysMessagesAndFilesBySender() {
        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + dir.resolve("old.db"), true);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("16").load().migrate();
            DeviceIdentity me = new DeviceIdentity(PrivateKey.generate());
            DeviceIdentity one = new DeviceIdentity(PrivateKey.generate());
            DeviceIdentity two = new DeviceIdentity(PrivateKey.generate());
            JdbcClient jdbc = JdbcClient.create(ds);
            MessageRepository messages = new MessageRepository(jdbc);
            SignedMessage first = SignedMessage.sign(one, "same-id", me.deviceId(), 1000, "from one");
            assertThat(messages.insertIn(first, 2000, DeliveryPath.DIRECT, null)).isTrue();
            jdbc.sql("INSERT INTO sync_file_transfers (id, direction, from_device, to_device, name, size, sha256,"
                            + " chunk_size, created_at, signature, file, status, bytes_done) VALUES"
                            + " ('f-1', 'in', ?, ?, 'a.bin', 10, ?, 4, 1000, x'00', '/tmp/a.bin', 'COMPLETE', 10)")
                    .params(one.deviceId().toString(), me.deviceId().toString(), "0".repeat(64)).update();

            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();

            assertThat(messages.find(one.deviceId(), "same-id", "in")).hasValueSatisfying(m ->
                    assertThat(m.content()).isEqualTo("from one"));
            FileTransferRepository transfers = new FileTransferRepository(jdbc);
            assertThat(transfers.find(one.deviceId(), "f-1", "in")).hasValueSatisfying(t ->
                    assertThat(t.status()).isEqualTo("COMPLETE"));
            // the same id from another sender is another message; from the same sender, the same one
            SignedMessage second = SignedMessage.sign(two, "same-id", me.deviceId(), 1000, "from two");
            assertThat(messages.insertIn(second, 3000, DeliveryPath.DIRECT, null)).isTrue();
            assertThat(messages.insertIn(first, 4000, DeliveryPath.DIRECT, null)).isFalse();
            assertThat(messages.find(two.deviceId(), "same-id", "in")).hasValueSatisfying(m ->
                    assertThat(m.content()).isEqualTo("from two"));
            assertThat(jdbc.sql("SELECT count(*) FROM sync_messages").query(Integer.class).single()).isEqualTo(2);
        } finally {
            ds.destroy();
        }
    }
}
