package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

class OriginsTest {

    @TempDir
    Path dir;

    @Test
    void aNumberGivenOutInATransactionThatRolledBackIsNeverTakenFromMemory() {
        try (StandaloneDevice device = new StandaloneDevice(dir.resolve("n.db"), List.of(), System::currentTimeMillis,
                List.of())) {
            JdbcTemplate template = new JdbcTemplate(device.dataSource());
            Origins origins = new Origins(template);
            long base = device.jdbc().sql("SELECT COALESCE(MAX(id), 0) FROM sync_origins").query(Long.class).single();

            Long rolledBack = device.tx().execute(status -> {
                long n = origins.numbers(List.of("device-x")).get("device-x");
                status.setRollbackOnly();
                return n;
            });
            // another device takes that number, in a transaction that commits
            Long y = device.tx().execute(status -> origins.numbers(List.of("device-y")).get("device-y"));
            assertThat(y).isEqualTo(rolledBack).isEqualTo(base + 1);

            Long x = device.tx().execute(status -> origins.numbers(List.of("device-x")).get("device-x"));
            assertThat(x).as("x's number is looked up again, not the one of the rolled-back transaction").isEqualTo(base + 2);
            // remembered now that it committed: the same number, with no row of sync_origins behind it read
            device.jdbc().sql("UPDATE sync_origins SET device_id = 'moved' WHERE device_id = 'device-x'").update();
            assertThat(origins.numbers(List.of("device-x", "device-y"))).containsEntry("device-x", base + 2)
                    .containsEntry("device-y", base + 1);
        }
    }

    /**
     * One synchronization per transaction however many look-ups: a group of 60,000 entries from a device not seen
     * before looked its number up once per entry, each look-up added a synchronization, and every savepoint of the
     * transaction copied and sorted them all, so placing the group took minutes under the write lock.
     */
    @Test
    void lookUpsOfANewDeviceInOneTransactionAddOneSynchronizationAndItsNumberIsRememberedAtCommit() {
        try (StandaloneDevice device = new StandaloneDevice(dir.resolve("n.db"), List.of(), System::currentTimeMillis,
                List.of())) {
            Origins origins = new Origins(new JdbcTemplate(device.dataSource()));

            int synchronizations = device.tx().execute(status -> {
                int before = org.springframework.transaction.support.TransactionSynchronizationManager
                        .getSynchronizations().size();
                for (int i = 0; i < 1_000; i++) {
                    origins.numbers(List.of("device-new", "device-other"));
                }
                return org.springframework.transaction.support.TransactionSynchronizationManager
                        .getSynchronizations().size() - before;
            });

            assertThat(synchronizations).isEqualTo(1);
            long number = device.jdbc().sql("SELECT id FROM sync_origins WHERE device_id = 'device-new'")
                    .query(Long.class).single();
            device.jdbc().sql("UPDATE sync_origins SET device_id = 'moved' WHERE device_id = 'device-new'").update();
            assertThat(origins.numbers(List.of("device-new"))).as("remembered at commit").containsEntry("device-new",
                    number);
        }
    }
}
