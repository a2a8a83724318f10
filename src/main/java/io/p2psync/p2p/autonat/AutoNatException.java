package io.p2psync.p2p.autonat;

/** A peer broke AutoNAT: a message that is no protobuf, too long, of an unknown or unexpected type. */
public final class AutoNatException extends RuntimeException {

    public AutoNatException(String message) {
        super(message);
    }

    public AutoNatException(String message, Throwable cause) {
        super(message, cause);
    }
}
