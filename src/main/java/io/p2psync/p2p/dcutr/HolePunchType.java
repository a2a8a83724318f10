package io.p2psync.p2p.dcutr;

import io.p2psync.p2p.dcutr.pb.DcutrProto;

/** The two DCUtR messages, with their wire codes (libp2p/specs relay/DCUtR.md, "RPC messages"). */
enum HolePunchType {
    /** Carries the sender's addresses; sent first by the side that received the relayed connection, then answered. */
    CONNECT(DcutrProto.HolePunch.Type.CONNECT),
    /** Sent by the first side once it has the answer: the other side dials when it arrives. */
    SYNC(DcutrProto.HolePunch.Type.SYNC);

    private final DcutrProto.HolePunch.Type wire;

    HolePunchType(DcutrProto.HolePunch.Type wire) {
        this.wire = wire;
    }

    DcutrProto.HolePunch.Type toWire() {
        return wire;
    }

    /** @throws DcutrException for a message without a type, or one of a type this side does not know */
    static HolePunchType fromWire(DcutrProto.HolePunch message) {
        if (!message.hasType()) {
            // proto2 keeps an unknown enum number among the unknown fields, so "no type" covers both
            throw new DcutrException("a message without a known type");
        }
        return message.getType() == DcutrProto.HolePunch.Type.CONNECT ? CONNECT : SYNC;
    }
}
