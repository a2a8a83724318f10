package io.p2psync.p2p.autonat;

import io.p2psync.p2p.autonat.pb.AutoNatProto;

/** The outcome a server gives in a DialResponse, with its wire code (libp2p/specs autonat-v1.md, "RPC messages"). */
public enum ResponseStatus {
    /** One of the addresses was dialled back; the response names it. */
    OK(AutoNatProto.Message.ResponseStatus.OK),
    /** Every address was tried and none answered as the asking peer in time. */
    E_DIAL_ERROR(AutoNatProto.Message.ResponseStatus.E_DIAL_ERROR),
    /** The server would not dial: the peer is not one it serves, asks too often, or named no address it may dial. */
    E_DIAL_REFUSED(AutoNatProto.Message.ResponseStatus.E_DIAL_REFUSED),
    /** The request was a protobuf but no valid Dial: no peer, another peer's id, no type. */
    E_BAD_REQUEST(AutoNatProto.Message.ResponseStatus.E_BAD_REQUEST),
    /** The server failed for a reason of its own. */
    E_INTERNAL_ERROR(AutoNatProto.Message.ResponseStatus.E_INTERNAL_ERROR);

    private final AutoNatProto.Message.ResponseStatus wire;

    ResponseStatus(AutoNatProto.Message.ResponseStatus wire) {
        this.wire = wire;
    }

    AutoNatProto.Message.ResponseStatus toWire() {
        return wire;
    }

    static ResponseStatus fromWire(AutoNatProto.Message.ResponseStatus wire) {
        for (ResponseStatus status : values()) {
            if (status.wire == wire) {
                return status;
            }
        }
        throw new AutoNatException("an unknown response status " + wire);
    }
}
