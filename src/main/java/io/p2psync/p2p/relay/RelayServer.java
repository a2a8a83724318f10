package io.p2psync.p2p.relay;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.relay.pb.CircuitProto;
import io.p2psync.p2p.relay.pb.CircuitProto.HopMessage;
import io.p2psync.p2p.relay.pb.CircuitProto.Status;
import io.p2psync.p2p.relay.pb.CircuitProto.StopMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay side of circuit relay v2: serves {@value CircuitRelay#HOP_PROTOCOL}. A peer that {@code mayReserve}
 * accepts gets a reservation (with a signed voucher) for as long as its TTL and its connection last; a peer that
 * {@code mayConnect} asks for a circuit to a peer with a reservation, and the relay opens a
 * {@value CircuitRelay#STOP_PROTOCOL} stream to that peer and joins the two streams under the circuit limits. Refusals
 * are answered with the spec's status and logged (a line per kind and peer per interval); malformed messages reset
 * the stream. Reservations and circuits over relayed connections are refused, as the spec advises. Thread-safe.
 */
public final class RelayServer implements ProtocolHandler {

    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    /** A held slot: until when, on which connection (the reservation ends with it). */
    private record Slot(Instant expires, Connection connection) {
    }

    private final Host host;
    private final PrivateKey key;
    private final RelayLimits limits;
    private final Predicate<PeerId> mayReserve;
    private final Predicate<PeerId> mayConnect;
    private final Clock clock;
    private final Map<PeerId, Slot> reservations = new HashMap<>();
    private final Map<PeerId, Integer> circuitsPerPeer = new HashMap<>();
    private int circuits;
    private final LogSummary<String> refusals;

    /**
     * @param key the host's own key, which signs the vouchers
     * @param mayReserve the peers that may hold a reservation (a user's authorized devices)
     * @param mayConnect the peers that may open circuits through this relay
     */
    public RelayServer(Host host, PrivateKey key, RelayLimits limits, Predicate<PeerId> mayReserve,
            Predicate<PeerId> mayConnect, Clock clock) {
        if (!key.peerId().equals(host.peerId())) {
            throw new IllegalArgumentException("the relay signs with its host's key");
        }
        this.host = host;
        this.key = key;
        this.limits = limits;
        this.mayReserve = mayReserve;
        this.mayConnect = mayConnect;
        this.clock = clock;
        this.refusals = new LogSummary<>(clock, Duration.ofSeconds(10), 64);
    }

    @Override
    public List<String> protocolIds() {
        return List.of(CircuitRelay.HOP_PROTOCOL);
    }

    @Override
    public void initStream(P2pStream stream) {
        stream.channel().pipeline().addLast("hop", new HopExchange(stream));
    }

    /** Peers holding a live reservation now. */
    public synchronized List<PeerId> reservedPeers() {
        Instant now = clock.instant();
        return reservations.entrySet().stream().filter(e -> live(e.getValue(), now)).map(Map.Entry::getKey)
                .sorted().toList();
    }

    /** Circuits open through this relay now. */
    public synchronized int openCircuits() {
        return circuits;
    }

    private static boolean live(Slot slot, Instant now) {
        return slot.expires().isAfter(now) && slot.connection().isOpen();
    }

    private void refuse(String kind, PeerId peer, String why) {
        long count = refusals.event(kind + " " + peer);
        if (count > 0) {
            log.warn("relay refused {} of {}: {} ({} such since the last line)", kind, peer, why, count);
        }
    }

    /** Books a reservation; the status to answer. */
    private synchronized Status reserve(PeerId peer, Connection connection, Instant expires) {
        Instant now = clock.instant();
        reservations.values().removeIf(slot -> !live(slot, now));
        if (!reservations.containsKey(peer) && reservations.size() >= limits.maxReservations()) {
            return Status.RESERVATION_REFUSED;
        }
        if (reservations.put(peer, new Slot(expires, connection)) == null) {
            log.info("relay: {} holds a reservation", peer);
        }
        return Status.OK;
    }

    private synchronized Connection reservedConnection(PeerId peer) {
        Slot slot = reservations.get(peer);
        return slot != null && live(slot, clock.instant()) ? slot.connection() : null;
    }

    /** Counts a circuit between two peers if the limits allow it; false if they do not. */
    private synchronized boolean openCircuit(PeerId source, PeerId target) {
        if (circuits >= limits.maxCircuits()
                || circuitsPerPeer.getOrDefault(source, 0) >= limits.maxCircuitsPerPeer()
                || circuitsPerPeer.getOrDefault(target, 0) >= limits.maxCircuitsPerPeer()) {
            return false;
        }
        circuits++;
        circuitsPerPeer.merge(source, 1, Integer::sum);
        circuitsPerPeer.merge(target, 1, Integer::sum);
        return true;
    }

    private synchronized void closeCircuit(PeerId source, PeerId target) {
        circuits--;
        circuitsPerPeer.computeIfPresent(source, (p, n) -> n > 1 ? n - 1 : null);
        circuitsPerPeer.computeIfPresent(target, (p, n) -> n > 1 ? n - 1 : null);
    }

    /** The relay's addresses as a reservation lists them: each listen address with {@code /p2p/<relay>}. */
    private List<ByteString> relayAddresses() {
        return host.listenAddresses().stream().filter(a -> a.valueOf(MultiaddrProtocol.P2P_CIRCUIT).isEmpty())
                .map(a -> ByteString.copyFrom(a.withPeerId(host.peerId()).toBytes())).toList();
    }

    private static HopMessage status(Status status) {
        return HopMessage.newBuilder().setType(HopMessage.Type.STATUS).setStatus(status).build();
    }

    /** One inbound hop stream: a RESERVE or a CONNECT, answered, and for a circuit the stream's hand-over. */
    private final class HopExchange extends CircuitExchange {

        private final P2pStream stream;

        HopExchange(P2pStream stream) {
            this.stream = stream;
        }

        @Override
        String protocolName() {
            return "hop stream";
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            log.debug("hop stream from {} failed: {}", stream.remotePeer(), reason);
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] bytes) throws InvalidProtocolBufferException {
            HopMessage message = HopMessage.parseFrom(bytes);
            PeerId peer = stream.remotePeer();
            finish();
            if (!message.hasType()) {
                refuse("malformed hop message", peer, "no type");
                answer(ctx, status(Status.MALFORMED_MESSAGE));
                return;
            }
            Connection connection = Connection.of(stream.channel());
            if (connection == null || !connection.direct()) {
                refuse(message.getType().name(), peer, "it came over a relayed connection");
                answer(ctx, status(Status.PERMISSION_DENIED));
                return;
            }
            switch (message.getType()) {
                case RESERVE -> onReserve(ctx, peer, connection);
                case CONNECT -> onConnect(ctx, peer, message);
                default -> {
                    refuse("unexpected hop message", peer, message.getType().name());
                    answer(ctx, status(Status.UNEXPECTED_MESSAGE));
                }
            }
        }

        private void onReserve(ChannelHandlerContext ctx, PeerId peer, Connection connection) {
            if (!mayReserve.test(peer)) {
                refuse("reservation", peer, "not an authorized device");
                answer(ctx, status(Status.PERMISSION_DENIED));
                return;
            }
            Instant expires = clock.instant().plus(limits.reservationTtl()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Status status = reserve(peer, connection, expires);
            if (status != Status.OK) {
                refuse("reservation", peer, limits.maxReservations() + " reservations are held");
                answer(ctx, status(status));
                return;
            }
            log.debug("relay: {} holds a reservation until {}", peer, expires);
            CircuitProto.Reservation reservation = CircuitProto.Reservation.newBuilder()
                    .setExpire(expires.getEpochSecond())
                    .addAllAddrs(relayAddresses())
                    .setVoucher(ByteString.copyFrom(new Voucher(host.peerId(), peer, expires).sign(key)))
                    .build();
            answer(ctx, status(Status.OK).toBuilder().setReservation(reservation)
                    .setLimit(limits.circuit().toWire()).build());
        }

        private void onConnect(ChannelHandlerContext ctx, PeerId source, HopMessage message) {
            PeerId target;
            try {
                target = new PeerId(message.getPeer().getId().toByteArray());
            } catch (IllegalArgumentException e) {
                refuse("circuit", source, "no valid target peer id");
                answer(ctx, status(Status.MALFORMED_MESSAGE));
                return;
            }
            if (!mayConnect.test(source)) {
                refuse("circuit", source, "not an authorized device");
                answer(ctx, status(Status.PERMISSION_DENIED));
                return;
            }
            Connection toTarget = reservedConnection(target);
            if (toTarget == null) {
                refuse("circuit", source, target + " holds no reservation");
                answer(ctx, status(Status.NO_RESERVATION));
                return;
            }
            if (!openCircuit(source, target)) {
                refuse("circuit", source, "circuit limits reached (" + limits.maxCircuits() + " in all, "
                        + limits.maxCircuitsPerPeer() + " per peer)");
                answer(ctx, status(Status.RESOURCE_LIMIT_EXCEEDED));
                return;
            }
            String name = source + " -> " + target;
            CircuitLimit limit = limits.circuit();
            StopExchange stop = new StopExchange(source, limit, ctx, this, name, target);
            host.newStream(toTarget, new ProtocolHandler() {
                @Override
                public List<String> protocolIds() {
                    return List.of(CircuitRelay.STOP_PROTOCOL);
                }

                @Override
                public void initStream(P2pStream s) {
                    s.channel().pipeline().addLast("stop", stop);
                }
            }).whenComplete((s, e) -> {
                if (e != null) {
                    closeCircuit(source, target);
                    log.info("relay: cannot open a stop stream to {} for {}: {}", target, source, e.toString());
                    answer(ctx, status(Status.CONNECTION_FAILED));
                }
            });
        }

        /** Answers and ends the stream (our side first, then all of it once the answer is out). */
        void answer(ChannelHandlerContext ctx, HopMessage answer) {
            send(ctx, answer).addListener(ChannelFutureListener.CLOSE);
        }

        void takeOver(ChannelHandlerContext ctx) {
            ctx.channel().eventLoop().execute(() -> handOver(ctx));
        }
    }

    /** The relay's stop stream to the target of a circuit: CONNECT, its answer, then the splice. */
    private final class StopExchange extends CircuitExchange {

        private final PeerId source;
        private final CircuitLimit limit;
        private final ChannelHandlerContext sourceCtx;
        private final HopExchange hop;
        private final String name;
        private final PeerId target;

        StopExchange(PeerId source, CircuitLimit limit, ChannelHandlerContext sourceCtx, HopExchange hop, String name,
                PeerId target) {
            this.source = source;
            this.limit = limit;
            this.sourceCtx = sourceCtx;
            this.hop = hop;
            this.name = name;
            this.target = target;
        }

        @Override
        String protocolName() {
            return "stop stream";
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            super.handlerAdded(ctx);
            send(ctx, StopMessage.newBuilder().setType(StopMessage.Type.CONNECT)
                    .setPeer(CircuitProto.Peer.newBuilder().setId(ByteString.copyFrom(source.bytes())))
                    .setLimit(limit.toWire()).build());
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            closeCircuit(source, target);
            log.info("relay: circuit {} failed at its target: {}", name, reason);
            hop.answer(sourceCtx, status(Status.CONNECTION_FAILED));
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] bytes) throws InvalidProtocolBufferException {
            StopMessage answer = StopMessage.parseFrom(bytes);
            finish();
            if (answer.getType() != StopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
                failed(ctx, "it answered " + answer.getType() + " " + answer.getStatus());
                ctx.close();
                return;
            }
            Channel sourceStream = sourceCtx.channel();
            // the OK goes out before any byte of the target's: both are queued from this thread, in order
            send(sourceCtx, status(Status.OK).toBuilder().setLimit(limit.toWire()).build());
            CircuitSplice splice = new CircuitSplice(sourceStream, ctx.channel(), limit, name,
                    () -> closeCircuit(source, target));
            splice.start();
            log.info("relay: circuit {} open", name);
            hop.takeOver(sourceCtx);
            handOver(ctx);
        }
    }
}
