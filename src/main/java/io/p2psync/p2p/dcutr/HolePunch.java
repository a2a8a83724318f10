package io.p2psync.p2p.dcutr;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.dcutr.pb.DcutrProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One DCUtR message.
 *
 * @param type CONNECT or SYNC
 * @param addresses the sender's addresses (observed, predicted and listen addresses) in a CONNECT; empty in a SYNC.
 *     Addresses the peer sent that are no valid multiaddr are left out when read.
 */
record HolePunch(HolePunchType type, List<Multiaddr> addresses) {

    /** The largest message taken, without its length prefix (the spec's "SHOULD refuse … larger than 4 KiB"). */
    static final int MAX_MESSAGE_SIZE = 4096;

    HolePunch {
        Objects.requireNonNull(type, "type");
        addresses = List.copyOf(addresses);
    }

    static HolePunch connect(List<Multiaddr> addresses) {
        return new HolePunch(HolePunchType.CONNECT, addresses);
    }

    static HolePunch sync() {
        return new HolePunch(HolePunchType.SYNC, List.of());
    }

    byte[] toWire() {
        DcutrProto.HolePunch.Builder wire = DcutrProto.HolePunch.newBuilder().setType(type.toWire());
        addresses.forEach(a -> wire.addObsAddrs(ByteString.copyFrom(a.toBytes())));
        return wire.build().toByteArray();
    }

    /** @throws DcutrException if {@code bytes} is no HolePunch protobuf or has no known type */
    static HolePunch fromWire(byte[] bytes) {
        DcutrProto.HolePunch wire;
        try {
            wire = DcutrProto.HolePunch.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new DcutrException("not a HolePunch message: " + e.getMessage(), e);
        }
        HolePunchType type = HolePunchType.fromWire(wire);
        List<Multiaddr> addresses = new ArrayList<>();
        for (ByteString address : wire.getObsAddrsList()) {
            try {
                addresses.add(Multiaddr.fromBytes(address.toByteArray()));
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException unreadable) {
                // one address this side cannot read (a protocol it does not know) does not spoil the others
            }
        }
        return new HolePunch(type, addresses);
    }
}
