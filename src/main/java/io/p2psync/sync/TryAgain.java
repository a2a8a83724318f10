package io.p2psync.sync;

import io.p2psync.changes.CaptureNotReady;
import java.time.Duration;
import java.util.Optional;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Failures that are "not now" rather than faults: SQLite stayed busy past the busy timeout as a transaction began
 * (the app, or this node's own apply of a large page, held the write lock), or a table may hold writes of the app no trigger saw and the
 * node has not sealed them yet ({@link io.p2psync.changes.CaptureNotReady}). Nothing of the refused part was
 * applied, and the same request succeeds later. Both ways in (REST and libp2p) answer these as 503
 * {@code try-again}, and a device that meets one, as the caller or here, tries again after {@link #RETRY_AFTER}
 * without counting it against the peer's breaker.
 */
public final class TryAgain {

    /** The problem type of such an answer, after {@code urn:p2psync:problem:}. */
    public static final String TYPE = "try-again";
    /** When to try again, as a caller is told ({@code Retry-After}). */
    public static final Duration RETRY_AFTER = CaptureNotReady.RETRY_AFTER;
    /** The problem's title. */
    public static final String TITLE = "Try again later";

    private TryAgain() {
    }

    /** The problem's detail for a refusal {@code why}. */
    public static String detail(String why) {
        return "not applied now, try again: " + why;
    }

    /**
     * Why {@code e} is a refusal for now, or empty if it is a fault: only {@link CaptureNotReady} and a transaction
     * that could not begin because SQLite stayed busy past the busy timeout. ({@code SQLITE_LOCKED} is not one: the
     * busy timeout never waits for it, and it points at this connection's own state, so asking again would not
     * help.)
     */
    public static Optional<String> why(Throwable e) {
        if (e instanceof CaptureNotReady notReady) {
            return Optional.of(notReady.getMessage());
        }
        if (e instanceof CannotCreateTransactionException notBegun
                && notBegun.getMostSpecificCause() instanceof org.sqlite.SQLiteException sqlite
                && sqlite.getResultCode().name().startsWith("SQLITE_BUSY")) {
            return Optional.of(sqlite.getMessage());
        }
        return Optional.empty();
    }
}
