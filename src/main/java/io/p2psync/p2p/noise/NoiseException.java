package io.p2psync.p2p.noise;

/** A failed handshake or a frame that does not decrypt; the connection cannot continue. */
public final class NoiseException extends RuntimeException {

    public NoiseException(String message) {
        super(message);
    }

    public NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
