package io.p2psync.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Runs the node's WAL checkpoints on a thread of their own, so the thread that commits a sync round or a seal
 * does not also copy the WAL into the database file and wait for its fsync.
 *
 * <p>By default SQLite checkpoints inside {@code COMMIT} whenever the WAL has grown past 1,000 pages
 * ({@code wal_autocheckpoint}). A round of 1,000 changed rows dirties more pages than that (rows, row
 * states and log entries lie all over their B-trees), so nearly every round's commit also wrote those pages
 * a second time and flushed the file, on the thread the round waits for. The node's pooled connections now
 * checkpoint only past {@link #BACKSTOP_PAGES} (for when this thread cannot keep up), and after each commit
 * of the node this class runs a {@code PASSIVE} checkpoint on its own connection: it copies what no reader
 * still needs, never takes the write lock, and never waits, so neither the node's next transaction nor the
 * app's writes queue behind it. Commits that arrive while one runs are covered by one more run after it.
 *
 * <p>The app's own connections keep SQLite's default; they rarely find a WAL past it, since this class has
 * usually copied the node's pages already.
 */
public final class WalCheckpoints implements AutoCloseable {

    /** {@code wal_autocheckpoint} of the node's pooled connections: a checkpoint in COMMIT only past 40 MB. */
    static final int BACKSTOP_PAGES = 10_000;

    private static final Logger log = LoggerFactory.getLogger(WalCheckpoints.class);

    private final Path file;
    private final SQLiteConfig config;
    private final ExecutorService thread;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Used on {@link #thread} only. */
    private Connection connection;

    /**
     * @param file   the SQLite file
     * @param config the node's connection settings (busy timeout, cache); opened lazily, on the first commit
     */
    WalCheckpoints(Path file, SQLiteConfig config) {
        this(file, config, Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "sqlite-checkpoint");
            t.setDaemon(true);
            return t;
        }));
    }

    /** With the executor the checkpoints run on; tests pass one they drive by hand. */
    WalCheckpoints(Path file, SQLiteConfig config, ExecutorService thread) {
        this.file = file;
        this.config = config;
        this.thread = thread;
    }

    /** Called after the node committed a write transaction: a checkpoint follows on this class's thread. */
    public void afterCommit() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(this::checkpoint);
            } catch (RejectedExecutionException closing) {
                queued.set(false); // shutting down: the last connection to close checkpoints anyway
            }
        }
    }

    /**
     * One {@code PASSIVE} checkpoint, now, on the calling thread (the class's own thread calls it after
     * commits; tests and shutdown may call it directly).
     *
     * @return the WAL's frames and those of them now in the database file, as SQLite reports them
     */
    synchronized Progress checkpointNow() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        }
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            result.next();
            return new Progress(result.getInt(1) != 0, result.getInt(2), result.getInt(3));
        }
    }

    private void checkpoint() {
        queued.set(false); // a commit from here on queues one more run
        try {
            checkpointNow();
        } catch (SQLException e) {
            // the next commit tries again; the pooled connections' backstop bounds the WAL meanwhile
            log.debug("WAL checkpoint of {} failed: {}", file, e.toString());
            closeConnection();
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing after a failure; nothing is pending on this connection
            }
            connection = null;
        }
    }

    /**
     * What one checkpoint found and did.
     *
     * @param busy         another connection was checkpointing, or a reader held frames back
     * @param walFrames    frames in the WAL (-1 when the file is not in WAL mode)
     * @param checkpointed frames of them now in the database file
     */
    record Progress(boolean busy, int walFrames, int checkpointed) {
    }
}
