package io.p2psync.p2p.identify;

import java.io.IOException;

/** A peer's identify answer was unusable: malformed, too large, missing, or its key is not the peer's. */
public final class IdentifyException extends IOException {

    public IdentifyException(String message) {
        super(message);
    }

    public IdentifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
