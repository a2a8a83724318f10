package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.storage.SchemaMigrations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Following the app's schema on a real SQLite file, when whoever listens for {@link SchemaChanged} fails
 * (retrying held entries needs the write lock, which the app may hold too long).
 */
class SchemaFollowerTest {

    @TempDir
    Path dir;

    private SingleConnectionDataSource dataSource;
    private JdbcClient jdbc;
    private TrackedTables tables;
    private SchemaFollower follower;
    private final UnscannedTables unscanned = new UnscannedTables();
    private final List<Set<String>> announced = new ArrayList<>();

    @BeforeEach
    void open() {
        Path file = dir.resolve("app.db");
        dataSource = new SingleConnectionDataSource("jdbc:sqlite:" + file, true);
        SchemaMigrations.migrate(dataSource);
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)").update();
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        TriggerInstaller installer = new TriggerInstaller(jdbc, tx, CaptureSettings.defaults());
        ColumnHistory history = new ColumnHistory(jdbc, new JdbcTemplate(dataSource), tx);
        tables = new TrackedTables(history.follow(installer.install(List.of("notes"))));
        follower = new SchemaFollower(new JdbcTemplate(dataSource), installer, history, unscanned, tables,
                new P2pSyncSettings(dir, file, "test", List.of("notes", "tags"), null, null), event -> {
                    if (event instanceof SchemaChanged changed) {
                        announced.add(changed.tables());
                        throw new IllegalStateException("database is locked");
                    }
                });
    }

    @AfterEach
    void close() {
        dataSource.destroy();
    }

    @Test
    void aFailingListenerNeitherStopsFollowingNorLosesTheTablesToScan() {
        jdbc.sql("ALTER TABLE notes ADD COLUMN rating INTEGER").update();

        assertThat(follower.follow()).as("nothing new to scan").isEmpty();
        assertThat(announced).containsExactly(Set.of("notes"));
        assertThat(tables.get("notes").columns()).containsExactly("id", "body", "rating");

        // the next change is followed as well: a configured table the app creates now
        jdbc.sql("CREATE TABLE tags (id TEXT PRIMARY KEY, name TEXT)").update();
        assertThat(follower.follow()).as("the new table is scanned").containsExactly("tags");
        assertThat(announced).containsExactly(Set.of("notes"), Set.of("tags"));
        assertThat(tables.get("tags")).isNotNull();
        jdbc.sql("INSERT INTO tags VALUES ('t1', 'red')").update();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sync_capture WHERE table_name = 'tags'").query(Integer.class).single())
                .as("the new table's writes are captured").isEqualTo(1);

        unscanned.scanned("tags", unscanned.mark("tags")); // as the scan the new table was handed to does
        assertThat(follower.follow()).as("a change once followed is not followed again").isEmpty();
        assertThat(announced).hasSize(2);
    }
}
