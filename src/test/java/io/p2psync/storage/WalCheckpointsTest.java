package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The node's pool and transaction manager as {@link StorageConfiguration} makes them, on a real file. */
class WalCheckpointsTest {

    @TempDir
    Path dir;

    private final HeldTasks checkpointThread = new HeldTasks();
    private P2pSyncSettings settings;
    private NodeLock lock;
    private HikariDataSource pool;
    private WalCheckpoints checkpoints;
    private TransactionTemplate tx;
    private JdbcClient jdbc;

    @BeforeEach
    void open() throws Exception {
        settings = new P2pSyncSettings(dir, null, null, List.of(), null, null);
        StorageConfiguration configuration = new StorageConfiguration();
        lock = configuration.nodeLock(settings);
        pool = configuration.dataSource(settings, lock);
        checkpoints = new WalCheckpoints(settings.databaseFile(),
                StorageConfiguration.sqliteConfig(P2pSyncSettings.DEFAULT_CACHE_SIZE), checkpointThread);
        tx = new TransactionTemplate(new SqliteTransactionManager(pool, checkpoints));
        jdbc = JdbcClient.create(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sync_apply_guard (id INTEGER PRIMARY KEY, applying INTEGER NOT NULL)");
            s.execute("INSERT INTO sync_apply_guard VALUES (1, 0)");
            s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
        }
        checkpoints.checkpointNow(); // the schema into the file, so what follows is the round's alone
    }

    @AfterEach
    void close() throws Exception {
        checkpoints.close();
        pool.close();
        lock.close();
    }

    @Test
    void aCommitPastSqlitesDefaultThresholdLeavesTheCheckpointToItsOwnThread() throws Exception {
        long before = Files.size(settings.databaseFile());

        writeRows(0, 2_000); // 2,000 rows of 2 KB: well past SQLite's default of 1,000 pages

        // the committing thread did not copy the WAL into the file, as SQLite's default would have in COMMIT
        assertThat(Files.size(settings.databaseFile())).isEqualTo(before);
        assertThat(checkpointThread.tasks).hasSize(1);

        checkpointThread.runAll();

        assertThat(Files.size(settings.databaseFile())).isGreaterThan(before + 2_000L * 2_048);
        WalCheckpoints.Progress progress = checkpoints.checkpointNow();
        assertThat(progress.busy()).isFalse();
        assertThat(progress.checkpointed()).isEqualTo(progress.walFrames());
    }

    @Test
    void commitsWhileACheckpointIsQueuedShareIt() {
        writeRows(0, 10);
        writeRows(10, 10);
        writeRows(20, 10);

        assertThat(checkpointThread.tasks).hasSize(1);

        checkpointThread.runAll();
        writeRows(30, 10);

        assertThat(checkpointThread.tasks).as("a commit after the run queues the next").hasSize(1);
    }

    @Test
    void readersStillSeeEveryCommittedRowBeforeAndAfterTheCheckpoint() {
        writeRows(0, 1_500);
        assertThat(count()).isEqualTo(1_500);

        checkpointThread.runAll();

        assertThat(count()).isEqualTo(1_500);
    }

    private void writeRows(int from, int rows) {
        byte[] value = new byte[2_048];
        tx.executeWithoutResult(status -> {
            for (int k = from; k < from + rows; k++) {
                jdbc.sql("INSERT INTO t (k, v) VALUES (?, ?)").params(k, value).update();
            }
        });
    }

    private long count() {
        return jdbc.sql("SELECT count(*) FROM t").query(Long.class).single();
    }

    /** An executor that keeps its tasks until the test runs them. */
    private static final class HeldTasks extends AbstractExecutorService {
        final List<Runnable> tasks = new ArrayList<>();
        private boolean shutdown;

        void runAll() {
            List<Runnable> now = new ArrayList<>(tasks);
            tasks.clear();
            now.forEach(Runnable::run);
        }

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.copyOf(tasks);
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
