package io.p2psync.p2p.ping;

import java.io.IOException;

/** A ping failed: the echo differed, the stream ended first, or a ping was already in flight. */
public final class PingException extends IOException {

    public PingException(String message) {
        super(message);
    }
}
