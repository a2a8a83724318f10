package io.p2psync.p2p.kad;

/** A DHT message that is malformed or breaks the protocol's rules; the stream it came on is reset. */
public final class KadException extends Exception {

    public KadException(String message) {
        super(message);
    }

    public KadException(String message, Throwable cause) {
        super(message, cause);
    }
}
