package io.p2psync.p2p.kad;

import com.google.protobuf.ByteString;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.kad.pb.KadProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One DHT RPC message, request or answer (kad-dht spec, "RPC messages"); the protobuf stays at this edge.
 *
 * @param key the message's key: a peer id's bytes for {@code FIND_NODE}, a record or provider key otherwise;
 *     empty for {@code PING}
 * @param record the record of {@code PUT_VALUE} and of a {@code GET_VALUE} answer; null if none
 * @param closerPeers peers nearer to the key, in answers
 * @param providerPeers providers of the key ({@code ADD_PROVIDER} requests, {@code GET_PROVIDERS} answers)
 */
public record KadMessage(MessageType type, byte[] key, KadRecord record, List<KadPeer> closerPeers,
        List<KadPeer> providerPeers) {

    /** Peers read from one message at most: a peer that sends more is not trusted with more than this. */
    public static final int MAX_PEERS = 100;
    /** Addresses read for one peer at most. */
    public static final int MAX_ADDRS = 32;

    public KadMessage {
        Objects.requireNonNull(type, "type");
        key = key == null ? new byte[0] : key.clone();
        closerPeers = closerPeers == null ? List.of() : List.copyOf(closerPeers);
        providerPeers = providerPeers == null ? List.of() : List.copyOf(providerPeers);
    }

    public static KadMessage findNode(PeerId target) {
        return new KadMessage(MessageType.FIND_NODE, target.bytes(), null, null, null);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    KadProto.Message toWire() {
        KadProto.Message.Builder m = KadProto.Message.newBuilder()
                .setTypeValue(type.code())
                .setKey(ByteString.copyFrom(key));
        if (record != null) {
            m.setRecord(KadProto.Record.newBuilder().setKey(ByteString.copyFrom(record.key()))
                    .setValue(ByteString.copyFrom(record.value())).setTimeReceived(record.timeReceived()));
        }
        closerPeers.forEach(p -> m.addCloserPeers(toWire(p)));
        providerPeers.forEach(p -> m.addProviderPeers(toWire(p)));
        return m.build();
    }

    private static KadProto.Message.Peer toWire(KadPeer peer) {
        KadProto.Message.Peer.Builder p = KadProto.Message.Peer.newBuilder()
                .setId(ByteString.copyFrom(peer.id().bytes()))
                .setConnectionValue(peer.connection().ordinal());
        peer.addrs().forEach(a -> p.addAddrs(ByteString.copyFrom(a.toBytes())));
        return p.build();
    }

    /**
     * Reads a message, checking what the rest of the DHT relies on. An address that does not parse is skipped (a
     * peer may know transports this node does not); a peer id that does not parse makes the whole message bad.
     *
     * @throws KadException if the type is unknown, a peer id is not a multihash, or there are too many peers
     */
    static KadMessage fromWire(KadProto.Message m) throws KadException {
        MessageType type = MessageType.fromCode(m.getTypeValue());
        if (m.getCloserPeersCount() > MAX_PEERS || m.getProviderPeersCount() > MAX_PEERS) {
            throw new KadException("DHT message carries more than " + MAX_PEERS + " peers");
        }
        KadRecord record = m.hasRecord()
                ? new KadRecord(m.getRecord().getKey().toByteArray(), m.getRecord().getValue().toByteArray(),
                        m.getRecord().getTimeReceived())
                : null;
        return new KadMessage(type, m.getKey().toByteArray(), record, peers(m.getCloserPeersList()),
                peers(m.getProviderPeersList()));
    }

    private static List<KadPeer> peers(List<KadProto.Message.Peer> wire) throws KadException {
        List<KadPeer> out = new ArrayList<>(wire.size());
        for (KadProto.Message.Peer p : wire) {
            PeerId id;
            try {
                id = new PeerId(p.getId().toByteArray());
            } catch (IllegalArgumentException e) {
                throw new KadException("DHT message names a peer with a bad id: " + e.getMessage(), e);
            }
            List<Multiaddr> addrs = new ArrayList<>();
            for (ByteString a : p.getAddrsList().subList(0, Math.min(MAX_ADDRS, p.getAddrsCount()))) {
                if (a.isEmpty()) {
                    continue;
                }
                try {
                    addrs.add(Multiaddr.fromBytes(a.toByteArray()).withoutPeerId());
                } catch (RuntimeException unusable) {
                    // skipped: malformed, or of a transport this node does not know; the peer may have others
                }
            }
            out.add(new KadPeer(id, addrs, KadPeer.Connectedness.fromCode(p.getConnectionValue())));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadMessage other && type == other.type && Arrays.equals(key, other.key)
                && Objects.equals(record, other.record) && closerPeers.equals(other.closerPeers)
                && providerPeers.equals(other.providerPeers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(key), record, closerPeers, providerPeers);
    }

    @Override
    public String toString() {
        return "KadMessage[" + type + " key=" + key.length + "B closer=" + closerPeers.size() + " providers="
                + providerPeers.size() + (record == null ? "" : " " + record) + "]";
    }
}
