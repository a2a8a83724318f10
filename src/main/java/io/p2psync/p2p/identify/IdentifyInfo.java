package io.p2psync.p2p.identify;

import com.google.protobuf.ByteString;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What a peer says about itself in identify.
 *
 * <p>Multiaddrs are kept in their binary multiaddr encoding, as they travel; {@code p2p.core.Multiaddr}
 * can decode them.
 *
 * @param protocolVersion the protocol family, e.g. {@code ipfs/0.1.0}; empty if the peer sent none
 * @param agentVersion the implementation, e.g. {@code p2p-sync/0.1.0}; empty if the peer sent none
 * @param publicKey the peer's key, checked against its peer id when read from the network
 * @param listenAddrs the addresses the peer listens on, binary multiaddrs; may be empty
 * @param observedAddr the address the peer sees this side's connection coming from, a binary
 *     multiaddr; empty (zero bytes) when unknown
 * @param protocols the protocols the peer accepts inbound streams for
 */
public record IdentifyInfo(String protocolVersion, String agentVersion, PublicKey publicKey, List<byte[]> listenAddrs,
        byte[] observedAddr, List<String> protocols) {

    public static final String DEFAULT_PROTOCOL_VERSION = "ipfs/0.1.0";

    public IdentifyInfo {
        Objects.requireNonNull(publicKey, "publicKey");
        protocolVersion = protocolVersion == null ? "" : protocolVersion;
        agentVersion = agentVersion == null ? "" : agentVersion;
        listenAddrs = listenAddrs == null ? List.of() : listenAddrs.stream().map(byte[]::clone).toList();
        observedAddr = observedAddr == null ? new byte[0] : observedAddr.clone();
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
    }

    @Override
    public List<byte[]> listenAddrs() {
        return listenAddrs.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] observedAddr() {
        return observedAddr.clone();
    }

    /** The peer id of {@link #publicKey()}. */
    public PeerId peerId() {
        return publicKey.peerId();
    }

    /** The same information with another observed address (identify answers fill it per connection). */
    public IdentifyInfo withObservedAddr(byte[] observed) {
        return new IdentifyInfo(protocolVersion, agentVersion, publicKey, listenAddrs, observed, protocols);
    }

    IdentifyProto.Identify toWire() {
        IdentifyProto.Identify.Builder message = IdentifyProto.Identify.newBuilder()
                .setProtocolVersion(protocolVersion)
                .setAgentVersion(agentVersion)
                .setPublicKey(ByteString.copyFrom(publicKey.toProtobuf()))
                .addAllProtocols(protocols);
        listenAddrs.forEach(addr -> message.addListenAddrs(ByteString.copyFrom(addr)));
        if (observedAddr.length > 0) {
            message.setObservedAddr(ByteString.copyFrom(observedAddr));
        }
        return message.build();
    }

    /**
     * Reads a peer's answer and checks that it is the peer at the other end of the connection.
     *
     * @param expectedPeer the authenticated remote peer of the stream
     * @throws IdentifyException if the key is malformed or names another peer, or no key is sent and the
     *     peer id does not carry one
     */
    static IdentifyInfo fromWire(IdentifyProto.Identify message, PeerId expectedPeer) throws IdentifyException {
        PublicKey key;
        if (message.hasPublicKey()) {
            try {
                key = PublicKey.fromProtobuf(message.getPublicKey().toByteArray());
            } catch (IllegalArgumentException e) {
                throw new IdentifyException("identify carries an unusable public key: " + e.getMessage(), e);
            }
            if (!expectedPeer.matches(key)) {
                throw new IdentifyException("identify public key belongs to " + key.peerId() + ", not to " + expectedPeer);
            }
        } else {
            key = expectedPeer.publicKey()
                    .orElseThrow(() -> new IdentifyException("identify carries no public key and " + expectedPeer + " does not inline one"));
        }
        return new IdentifyInfo(message.getProtocolVersion(), message.getAgentVersion(), key,
                message.getListenAddrsList().stream().map(ByteString::toByteArray).toList(),
                message.getObservedAddr().toByteArray(), message.getProtocolsList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentifyInfo other
                && protocolVersion.equals(other.protocolVersion)
                && agentVersion.equals(other.agentVersion)
                && publicKey.equals(other.publicKey)
                && listenAddrs.size() == other.listenAddrs.size()
                && IntStream.range(0, listenAddrs.size()).allMatch(i -> Arrays.equals(listenAddrs.get(i), other.listenAddrs.get(i)))
                && Arrays.equals(observedAddr, other.observedAddr)
                && protocols.equals(other.protocols);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(protocolVersion, agentVersion, publicKey, protocols);
        for (byte[] addr : listenAddrs) {
            hash = 31 * hash + Arrays.hashCode(addr);
        }
        return 31 * hash + Arrays.hashCode(observedAddr);
    }

    @Override
    public String toString() {
        return "IdentifyInfo[" + peerId() + " agent=" + agentVersion + " protocolVersion=" + protocolVersion + " listenAddrs="
                + listenAddrs.size() + " protocols=" + protocols + "]";
    }
}
