package io.p2psync.p2p.dcutr;

/** A peer broke the DCUtR protocol: a message that is malformed, too long, of an unknown or unexpected type. */
public final class DcutrException extends RuntimeException {

    public DcutrException(String message) {
        super(message);
    }

    public DcutrException(String message, Throwable cause) {
        super(message, cause);
    }
}
