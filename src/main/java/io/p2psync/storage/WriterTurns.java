package io.p2psync.storage;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets other writers in between the node's back-to-back write transactions.
 *
 * <p>SQLite's lock is not a queue: a connection waiting for it sleeps and retries (after the first third of a
 * second, every 100 ms), so a loop that commits and at once begins again can hold the lock out of reach of
 * the app, or of the node's own request handling, for longer than their busy timeout, although each
 * transaction is short. Loops that write part after part (sealing a backlog, applying a large page) call
 * {@link #pauseAfter} between parts: the lock stays free for a quarter of the time the part held it (at
 * least {@link #MIN_PAUSE}, at most {@link #MAX_PAUSE}), so every waiter's retries find it free with good odds
 * while the loop keeps at least four fifths of its speed.
 */
public final class WriterTurns {

    static final Duration MIN_PAUSE = Duration.ofMillis(20);
    static final Duration MAX_PAUSE = Duration.ofMillis(250);

    private WriterTurns() {
    }

    /**
     * Pauses after a write transaction that started at {@code startNanos} ({@link System#nanoTime()}), unless
     * the caller is inside a transaction (then the lock is not released between parts anyway).
     */
    public static void pauseAfter(long startNanos) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return;
        }
        long held = System.nanoTime() - startNanos;
        long pause = Math.min(MAX_PAUSE.toNanos(), Math.max(MIN_PAUSE.toNanos(), held / 4));
        LockSupport.parkNanos(pause);
    }
}
