package io.p2psync.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A reader of another program, as an app on the receiving device would be: its own JDBC connection to the
 * device's SQLite file, running one counting query again and again on a thread of its own, keeping every
 * distinct answer it saw. Tests use it to show that a reader never sees part of a transaction.
 */
public final class CountWatcher implements AutoCloseable {

    private final Path file;
    private final String query;
    private final Set<Long> seen = Collections.synchronizedSet(new TreeSet<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long reads;
    private volatile Throwable failure;

    /** Starts watching {@code query} (one row, one number) on {@code file}. */
    public CountWatcher(Path file, String query) {
        this.file = file;
        this.query = query;
        this.thread = new Thread(this::watch, "count-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            while (running) {
                try (ResultSet rs = s.executeQuery(query)) {
                    rs.next();
                    seen.add(rs.getLong(1));
                    reads++;
                } catch (SQLException busy) {
                    // a moment when the file could not be read (a checkpoint, say): read again
                }
                try {
                    Thread.sleep(1); // often enough to see every write transaction, without taking a core
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }

    /** Every distinct count read so far. */
    public Set<Long> seen() {
        synchronized (seen) {
            return new TreeSet<>(seen);
        }
    }

    /** How many reads answered. */
    public long reads() {
        return reads;
    }

    /** Stops the thread; throws if the reader itself failed. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the watcher failed", failure);
        }
    }
}
