package io.p2psync.sync;

import io.p2psync.devices.AuthFailure;
import java.time.Duration;

/**
 * The peer refused a sync call for now (503 {@code try-again} or {@code busy}): it works, and asks to be called again
 * after {@link #retryAfter()}. Not a failure of the peer: its breaker does not count it.
 */
public class PeerBusyException extends PeerException {

    private final Duration retryAfter;

    public PeerBusyException(String message, Duration retryAfter) {
        super(message, 503, null);
        this.retryAfter = retryAfter;
    }

    /** When the peer asked to be called again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whether a refusal of this status and problem type (a {@code urn:p2psync:problem:} URI) means "later". */
    public static boolean isForNow(int status, String type) {
        return status == 503 && (FOR_NOW.equals(type) || BUSY.equals(type));
    }

    private static final String FOR_NOW = AuthFailure.PROBLEM_BASE + TryAgain.TYPE;
    private static final String BUSY = AuthFailure.PROBLEM_BASE + "busy";

    /**
     * The wait a {@code Retry-After} header asks for, in seconds, kept between 1 second and 5 minutes; {@link
     * TryAgain#RETRY_AFTER} if there is none or it is not a number of seconds (an HTTP date is not honoured).
     */
    public static Duration retryAfter(String header) {
        if (header != null) {
            try {
                long seconds = Long.parseLong(header.strip());
                return Duration.ofSeconds(Math.max(1, Math.min(seconds, 300)));
            } catch (NumberFormatException notSeconds) {
                // fall through
            }
        }
        return TryAgain.RETRY_AFTER;
    }
}
