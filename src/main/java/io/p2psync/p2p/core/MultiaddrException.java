package io.p2psync.p2p.core;

/** A multiaddr that cannot be parsed or decoded: unknown protocol, bad value, truncated bytes. */
public final class MultiaddrException extends IllegalArgumentException {

    public MultiaddrException(String message) {
        super(message);
    }

    public MultiaddrException(String message, Throwable cause) {
        super(message, cause);
    }
}
