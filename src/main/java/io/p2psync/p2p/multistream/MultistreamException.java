package io.p2psync.p2p.multistream;

/** The peer broke multistream-select, supports none of the proposed protocols, or took too long. */
public final class MultistreamException extends RuntimeException {

    public MultistreamException(String message) {
        super(message);
    }
}
