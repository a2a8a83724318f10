package io.p2psync.sync;

/**
 * A sync call to a peer, over REST or libp2p, failed: it could not be reached, timed out, or answered with an error (then
 * {@link #status()} is the HTTP status and the message carries the problem's title and detail).
 */
public class PeerException extends RuntimeException {

    private final int status;

    public PeerException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the peer answered, or 0 if it did not answer. */
    public int status() {
        return status;
    }
}
