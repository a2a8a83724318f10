package io.p2psync.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * How the node's connections wait for a lock another program holds: a try every millisecond until the timeout.
 *
 * <p>SQLite's own busy handler ({@code busy_timeout}) sleeps 1, 2, 5, 10, ... and then 100 ms between tries. An app
 * that writes without pause, one row per transaction, frees the write lock for a few microseconds between its
 * transactions, so tries that far apart almost never find it free: against {@code sqlite3} fed one INSERT after
 * another, half of the node's writes failed with {@code SQLITE_BUSY} after the full 10 s and the rest took up to
 * 7 s, and a node could not start at all (docs/operations.md, "Sharing the database with the app"). Tried every
 * millisecond, the same writes got the lock in 7 to 330 ms. A try is a look at a lock in shared memory; a thousand
 * a second while waiting cost nothing to speak of.
 *
 * <p>sqlite-jdbc puts SQLite's own handler back on a connection that runs a statement with a query timeout
 * ({@code setBusyTimeout} around it): the node sets none, and a JDBC or transaction timeout added later would lose
 * this handler on that connection.
 */
final class LockPolling extends BusyHandler {

    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long timeoutNanos;
    /** When the current wait began; a connection is used by one thread at a time, and so is this. */
    private long firstTry;
    /** The count of the last call: SQLite restarts it for each statement, not for every wait within one. */
    private int lastTries = -1;

    private LockPolling(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Makes {@code connection} (an sqlite-jdbc connection) wait for locks this way, at most {@code timeout} each. */
    static void install(Connection connection, Duration timeout) throws SQLException {
        BusyHandler.setHandler(connection, new LockPolling(timeout));
    }

    /** @param tries how often this wait has been retried already (0 on the first call of a new wait) */
    @Override
    protected int callback(int tries) {
        long now = System.nanoTime();
        if (tries == 0 || tries != lastTries + 1) {
            firstTry = now; // a new wait (a schema load after a recompile goes on counting from the last one)
        }
        lastTries = tries;
        if (now - firstTry >= timeoutNanos || Thread.currentThread().isInterrupted()) {
            return 0; // SQLITE_BUSY to the caller
        }
        LockSupport.parkNanos(PAUSE_NANOS);
        return 1;
    }
}
