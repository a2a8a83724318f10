package io.p2psync.p2p.identify;

import io.netty.channel.Channel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.util.AttributeKey;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code /ipfs/id/1.0.0}: on an inbound stream, answers with this node's {@link IdentifyInfo} (one
 * varint-length-prefixed protobuf message, then FIN); on an outbound stream, reads the peer's answer.
 *
 * <p>The host calls {@link #initStream} for both. To get the peer's answer, call {@link #identify} with
 * the outbound stream; it returns the same future however often it is called.
 */
public final class IdentifyProtocol implements ProtocolHandler {

    public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";
    /** The largest answer accepted, in bytes (js-libp2p caps at 8 KiB, go-libp2p's messages stay far below this). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** How long the asking side waits for the answer and the answering side for the peer's FIN. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final AttributeKey<CompletableFuture<IdentifyInfo>> RESULT =
            AttributeKey.valueOf(IdentifyProtocol.class, "result");

    /** Observed addresses kept, the newest first. */
    static final int MAX_OBSERVED = 8;

    private final Supplier<IdentifyInfo> localInfo;
    private final Predicate<PeerId> observers;
    private final Deque<Multiaddr> observed = new ArrayDeque<>();

    /**
     * Takes the observed address of every peer that answers over a direct connection.
     *
     * @param localInfo this node's information, asked afresh for every answer so that listen addresses
     *     and protocols stay current; its observed address is replaced by the stream's remote address
     */
    public IdentifyProtocol(Supplier<IdentifyInfo> localInfo) {
        this(localInfo, peer -> true);
    }

    /**
     * @param localInfo as for {@link #IdentifyProtocol(Supplier)}
     * @param observers the peers whose word on this node's address is taken into {@link #observedAddresses()}
     *     (asked when their answer comes); any other peer's observed address is ignored, so that a stranger cannot
     *     push out the true ones with addresses of its choosing
     */
    public IdentifyProtocol(Supplier<IdentifyInfo> localInfo, Predicate<PeerId> observers) {
        this.localInfo = localInfo;
        this.observers = observers;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        if (stream.initiator()) {
            identify(stream);
        } else {
            Channel channel = stream.channel();
            IdentifyInfo info = localInfo.get().withObservedAddr(ObservedAddress.of(channel));
            channel.pipeline().addLast(new ProtobufVarint32LengthFieldPrepender(), new ProtobufEncoder(),
                    new IdentifyResponder(info, TIMEOUT));
        }
    }

    /**
     * Reads the peer's answer on an outbound identify stream.
     *
     * @return completes with the peer's information once it half-closes the stream; fails with
     *     {@link IdentifyException} if the answer is missing, malformed, too large, late, or carries a key
     *     that is not {@code stream.remotePeer()}'s
     */
    public CompletableFuture<IdentifyInfo> identify(P2pStream stream) {
        Channel channel = stream.channel();
        CompletableFuture<IdentifyInfo> result = new CompletableFuture<>();
        CompletableFuture<IdentifyInfo> existing = channel.attr(RESULT).setIfAbsent(result);
        if (existing != null) {
            return existing;
        }
        channel.pipeline().addLast(new InboundByteLimit(MAX_MESSAGE_BYTES), new ProtobufVarint32FrameDecoder(),
                new ProtobufDecoder(IdentifyProto.Identify.getDefaultInstance()),
                new IdentifyReader(stream.remotePeer(), result, TIMEOUT));
        return result.whenComplete((info, e) -> {
            if (info != null && believes(stream)) {
                remember(info.observedAddr());
            }
        });
    }

    /**
     * The addresses peers said they see this node at (identify's observed address), newest first, without
     * {@code /p2p}, at most {@link #MAX_OBSERVED}; empty before the first answer. Behind a NAT, their IP is the
     * NAT's public one. Only answers over a direct connection from a peer the {@code observers} take count: a relay's
     * peer sees the relay, not this node. Even those peers may be wrong: use them as hints, e.g. for hole punching,
     * never as proof.
     */
    public List<Multiaddr> observedAddresses() {
        synchronized (observed) {
            return List.copyOf(observed);
        }
    }

    /** Whether the answer on {@code stream} may name this node's address: a direct connection to an observer. */
    private boolean believes(P2pStream stream) {
        Connection connection = Connection.of(stream.channel());
        return connection != null && connection.direct() && observers.test(stream.remotePeer());
    }

    private void remember(byte[] address) {
        if (address.length == 0) {
            return;
        }
        Multiaddr parsed;
        try {
            parsed = Multiaddr.fromBytes(address).withoutPeerId();
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException unreadable) {
            return;
        }
        synchronized (observed) {
            observed.remove(parsed);
            observed.addFirst(parsed);
            while (observed.size() > MAX_OBSERVED) {
                observed.removeLast();
            }
        }
    }
}
