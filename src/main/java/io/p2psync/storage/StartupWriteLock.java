package io.p2psync.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * At start-up, waits until the file's write lock can be had, before anything of the node opens the file for
 * good. The node's start writes (the WAL switch of a new file, its migrations, capture triggers), each waiting
 * at most the busy timeout, 10 s; an app inside a longer write transaction used to make the start fail with a
 * stack trace. Now the node takes the lock once and lets it go at once, in tries of a second, saying at WARN after
 * the first that it waits and for whom (again every busy timeout), up to {@code p2psync.startup-lock-wait}; past
 * that it gives up with one line that says so. A node stopped meanwhile (SIGTERM, Ctrl-C) stops waiting after the
 * try under way.
 *
 * <p>This covers an app transaction that is open when the node starts. An app that takes the lock again for
 * longer than the busy timeout while the node is still starting can still stop it; a service manager that restarts
 * the node then gets it started on the next try.
 */
final class StartupWriteLock {

    private static final Logger log = LoggerFactory.getLogger(StartupWriteLock.class);
    /**
     * One try: an app's usual short transaction ends within the first, and the node starts without a word; short,
     * so that a node stopped while it waits stops within about a second.
     */
    private static final Duration TRY = Duration.ofSeconds(1);
    /** Between tries that were refused at once rather than waited. */
    private static final Duration PAUSE = Duration.ofMillis(200);

    private StartupWriteLock() {
    }

    /**
     * Returns once a write transaction on {@code file} could begin, or at once when the file cannot be opened for
     * another reason (those are reported where the node opens it).
     *
     * @param warnEvery how often to say at WARN that the node still waits (the node's busy timeout)
     * @param most      how long to wait in all ({@code p2psync.startup-lock-wait})
     * @throws StartupProblem when another program still holds the lock after {@code most}
     */
    static void await(Path file, Duration warnEvery, Duration most, String setting, String value) {
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> stopping.set(true), "startup-write-lock-stop");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            throw new StartupProblem(setting, value, "the node was stopped while it started", "start it again");
        }
        try {
            await(file, warnEvery, most, setting, value, stopping);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook has run: the wait ended because the node is being stopped
            }
        }
    }

    private static void await(Path file, Duration warnEvery, Duration most, String setting, String value,
                              AtomicBoolean stopping) {
        long start = System.nanoTime();
        Duration warned = null;
        while (true) {
            if (stopping.get()) {
                throw new StartupProblem(setting, value, "the node was stopped while it waited for another program's"
                        + " write lock on the file", "start it again once that program has committed");
            }
            Duration left = most.minus(since(start));
            long tryStart = System.nanoTime();
            try {
                tryOnce(file, TRY.compareTo(left) < 0 ? TRY : left);
                if (warned != null) {
                    log.info("the write lock of {} is free after {} s of waiting; starting", file, since(start).toSeconds());
                }
                return;
            } catch (SQLException e) {
                if (!busy(e)) {
                    return;
                }
            }
            Duration waited = since(start);
            if (waited.compareTo(most) >= 0) {
                throw new StartupProblem(setting, value, "another program has held a lock on the file for "
                        + waited.toSeconds() + " s (a write transaction it keeps open, or a long read of a file not in"
                        + " WAL mode yet)", "let that program commit or close the file, then start the node again; "
                        + "p2psync.startup-lock-wait (now " + most + ") sets how long the node waits for it");
            }
            if (warned == null || waited.minus(warned).compareTo(warnEvery) >= 0) {
                log.warn("waiting for the write lock of {}: another program holds a lock on it (a write transaction it"
                        + " keeps open, or a long read of a file not in WAL mode yet); waited {} s, waiting up to {} s"
                        + " (p2psync.startup-lock-wait)", file, waited.toSeconds(), most.toSeconds());
                warned = waited;
            }
            if (since(tryStart).compareTo(PAUSE) < 0) {
                // a file still in rollback-journal mode refuses at once instead of waiting: pause between tries
                pause(PAUSE.compareTo(most.minus(waited)) < 0 ? PAUSE : most.minus(waited));
            }
        }
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the write lock", e);
        }
    }

    /** One {@code BEGIN IMMEDIATE} and {@code ROLLBACK}, on a connection set up as the node's (WAL). */
    private static void tryOnce(Path file, Duration wait) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL); // a new file's switch to WAL needs the lock too
        config.setBusyTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, wait.toMillis())));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
             Statement s = c.createStatement()) {
            LockPolling.install(c, wait);
            s.execute("BEGIN IMMEDIATE");
            s.execute("ROLLBACK");
        }
    }

    private static boolean busy(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            int primary = sqlite.getResultCode().code & 0xff;
            return primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
        }
        return e.getMessage() != null && e.getMessage().contains("database is locked");
    }
}
