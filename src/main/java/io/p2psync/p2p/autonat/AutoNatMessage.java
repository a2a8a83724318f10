package io.p2psync.p2p.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.autonat.pb.AutoNatProto;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One AutoNAT v1 message: a {@link Dial} request or a {@link DialResponse}. Wire types stay in this file:
 * {@link #toWire()} and {@link #fromWire(byte[])} turn records into protobuf bytes and back.
 */
sealed interface AutoNatMessage {

    /** The largest message taken, without its length prefix; a request names a few addresses only. */
    int MAX_MESSAGE_SIZE = 4096;

    byte[] toWire();

    /**
     * A request to dial the sender back.
     *
     * @param peer the sender's peer id, which must be the id of the connection's peer
     * @param addresses where to dial it; addresses the sender wrote that are no valid multiaddr are left out when read
     */
    record Dial(PeerId peer, List<Multiaddr> addresses) implements AutoNatMessage {

        public Dial {
            Objects.requireNonNull(peer, "peer");
            addresses = List.copyOf(addresses);
        }

        @Override
        public byte[] toWire() {
            AutoNatProto.Message.PeerInfo.Builder info = AutoNatProto.Message.PeerInfo.newBuilder()
                    .setId(ByteString.copyFrom(peer.bytes()));
            addresses.forEach(a -> info.addAddrs(ByteString.copyFrom(a.toBytes())));
            return AutoNatProto.Message.newBuilder().setType(AutoNatProto.Message.MessageType.DIAL)
                    .setDial(AutoNatProto.Message.Dial.newBuilder().setPeer(info)).build().toByteArray();
        }
    }

    /**
     * The server's answer.
     *
     * @param status the outcome
     * @param text a reason for people, empty if none
     * @param address the address dialled back with {@link ResponseStatus#OK}, empty otherwise
     */
    record DialResponse(ResponseStatus status, String text, Optional<Multiaddr> address) implements AutoNatMessage {

        public DialResponse {
            Objects.requireNonNull(status, "status");
            text = text == null ? "" : text;
            Objects.requireNonNull(address, "address");
        }

        static DialResponse ok(Multiaddr address) {
            return new DialResponse(ResponseStatus.OK, "", Optional.of(address));
        }

        static DialResponse error(ResponseStatus status, String text) {
            return new DialResponse(status, text, Optional.empty());
        }

        @Override
        public byte[] toWire() {
            AutoNatProto.Message.DialResponse.Builder response = AutoNatProto.Message.DialResponse.newBuilder()
                    .setStatus(status.toWire());
            if (!text.isEmpty()) {
                response.setStatusText(text);
            }
            address.ifPresent(a -> response.setAddr(ByteString.copyFrom(a.toBytes())));
            return AutoNatProto.Message.newBuilder().setType(AutoNatProto.Message.MessageType.DIAL_RESPONSE)
                    .setDialResponse(response).build().toByteArray();
        }
    }

    /**
     * Reads one message.
     *
     * @throws AutoNatException if {@code bytes} is no AutoNAT protobuf, or a message without a known type, a Dial
     *     without a valid peer id, or a DialResponse without a known status
     */
    static AutoNatMessage fromWire(byte[] bytes) {
        AutoNatProto.Message wire;
        try {
            wire = AutoNatProto.Message.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AutoNatException("not an AutoNAT message: " + e.getMessage(), e);
        }
        if (!wire.hasType()) {
            // proto2 keeps an unknown enum number among the unknown fields, so "no type" covers both
            throw new AutoNatException("a message without a known type");
        }
        if (wire.getType() == AutoNatProto.Message.MessageType.DIAL) {
            if (!wire.hasDial() || !wire.getDial().hasPeer() || !wire.getDial().getPeer().hasId()) {
                throw new AutoNatException("a DIAL without a peer");
            }
            PeerId peer;
            try {
                peer = new PeerId(wire.getDial().getPeer().getId().toByteArray());
            } catch (IllegalArgumentException e) {
                throw new AutoNatException("a DIAL with an invalid peer id: " + e.getMessage(), e);
            }
            return new Dial(peer, readable(wire.getDial().getPeer().getAddrsList()));
        }
        if (!wire.hasDialResponse() || !wire.getDialResponse().hasStatus()) {
            throw new AutoNatException("a DIAL_RESPONSE without a known status");
        }
        AutoNatProto.Message.DialResponse response = wire.getDialResponse();
        Optional<Multiaddr> address = Optional.empty();
        if (response.hasAddr()) {
            address = readable(List.of(response.getAddr())).stream().findFirst();
        }
        return new DialResponse(ResponseStatus.fromWire(response.getStatus()), response.getStatusText(), address);
    }

    private static List<Multiaddr> readable(List<ByteString> addresses) {
        List<Multiaddr> out = new ArrayList<>();
        for (ByteString address : addresses) {
            try {
                out.add(Multiaddr.fromBytes(address.toByteArray()));
            } catch (IllegalArgumentException | BufferUnderflowException unreadable) {
                // one address this side cannot read (a protocol it does not know) does not spoil the others
            }
        }
        return out;
    }
}
