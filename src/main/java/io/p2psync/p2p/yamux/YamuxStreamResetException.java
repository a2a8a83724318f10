package io.p2psync.p2p.yamux;

import java.io.IOException;

/** A stream was reset (RST) by the peer, or ended because its session closed; pending writes fail with it. */
public final class YamuxStreamResetException extends IOException {

    public YamuxStreamResetException(String message) {
        super(message);
    }
}
