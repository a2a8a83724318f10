package io.p2psync.p2p.host;

import io.p2psync.p2p.core.PeerId;

/** A stream was asked for on a peer the host has no open connection to. */
public final class NotConnectedException extends IllegalStateException {

    public NotConnectedException(PeerId peer) {
        super("not connected to " + peer);
    }
}
