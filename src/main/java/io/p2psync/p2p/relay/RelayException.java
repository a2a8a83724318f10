package io.p2psync.p2p.relay;

import io.p2psync.p2p.relay.pb.CircuitProto;

/** A relay exchange that failed: the peer's answer was not OK, or its message broke the protocol. */
public final class RelayException extends RuntimeException {

    private final String status;

    RelayException(CircuitProto.Status status, String message) {
        super(message + " (" + status + ")");
        this.status = status.name();
    }

    /** The spec's status name: {@code PERMISSION_DENIED}, {@code NO_RESERVATION}, {@code MALFORMED_MESSAGE}, … */
    public String status() {
        return status;
    }
}
