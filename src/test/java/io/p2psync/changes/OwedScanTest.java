package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.storage.SchemaMigrations;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A table the schema follower marked as owed a scan is handed to the scanner even when the look that marked it
 * failed half way (the app held the write lock while it migrated): otherwise its mark would stay, and every entry
 * for it would be refused until the next periodic scan.
 */
class OwedScanTest {

    @TempDir
    Path dir;

    @Test
    void aTableMarkedByALookThatFailedIsHandedToTheScannerByTheNextLook() {
        Path file = dir.resolve("app.db");
        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + file, true);
        try {
            SchemaMigrations.migrate(ds);
            JdbcClient jdbc = JdbcClient.create(ds);
            jdbc.sql("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)").update();
            DataSourceTransactionManager tm = new DataSourceTransactionManager(ds);
            boolean[] failOnce = {false};
            TransactionTemplate historyTx = new TransactionTemplate(tm) {
                @Override
                public <T> T execute(TransactionCallback<T> action) throws TransactionException {
                    if (failOnce[0]) {
                        failOnce[0] = false;
                        throw new CannotAcquireLockException("database is locked");
                    }
                    return super.execute(action);
                }
            };
            TriggerInstaller installer = new TriggerInstaller(jdbc, new TransactionTemplate(tm), CaptureSettings.defaults());
            ColumnHistory history = new ColumnHistory(jdbc, new JdbcTemplate(ds), historyTx);
            TrackedTables tables = new TrackedTables(history.follow(installer.install(List.of("notes"))));
            UnscannedTables unscanned = new UnscannedTables();
            SchemaFollower follower = new SchemaFollower(new JdbcTemplate(ds), installer, history, unscanned, tables,
                    new P2pSyncSettings(dir, file, "test", List.of("notes"), null, null), e -> { });
            // the app re-creates notes (its triggers go with the old one), and holds the lock as the node records
            jdbc.sql("DROP TABLE notes").update();
            jdbc.sql("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT, extra TEXT)").update();
            failOnce[0] = true;

            assertThatThrownBy(follower::follow).hasMessageContaining("locked");
            assertThat(unscanned.contains("notes")).isTrue();
            assertThat(follower.follow()).contains("notes");
        } finally {
            ds.destroy();
        }
    }
}
