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
import io.p2psync.p2p.host.CircuitDialer;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of circuit relay v2 for one host: reserves slots on relays (and keeps them, renewing before they
 * end and retrying while a relay cannot be reached), accepts circuits that a relay it holds a slot on opens over
 * {@value CircuitRelay#STOP_PROTOCOL}, and opens circuits for the host's dial of
 * {@code …/p2p/<relay>/p2p-circuit/p2p/<target>} addresses. Install it with {@link #install}. Thread-safe.
 */
public final class RelayClient implements ProtocolHandler, CircuitDialer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayClient.class);
    /** How long after a failed reservation it is tried again, unless set. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(15);
    /** The least time between two renewals of one reservation. */
    static final Duration MIN_RENEWAL = Duration.ofSeconds(5);

    private final Host host;
    private final Clock clock;
    private final Duration retry;
    private final Map<PeerId, Reservation> reservations = new ConcurrentHashMap<>();
    /** The relays kept, each with a token of its keeping: a release and a new keep do not revive the old loop. */
    private final Map<Multiaddr, Object> kept = new ConcurrentHashMap<>();
    private final LogSummary<String> refusals;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-reservations");
        t.setDaemon(true);
        return t;
    });
    private volatile Runnable onCircuitAddressesChanged = () -> { };
    private volatile boolean closed;

    private RelayClient(Host host, Clock clock, Duration retry) {
        if (retry.isNegative() || retry.isZero()) {
            throw new IllegalArgumentException("the retry interval must be positive");
        }
        this.host = host;
        this.clock = clock;
        this.retry = retry;
        this.refusals = new LogSummary<>(clock, Duration.ofSeconds(10), 64);
    }

    /** Like {@link #install(Host, Clock, Duration)} retrying every {@link #DEFAULT_RETRY}. */
    public static RelayClient install(Host host, Clock clock) {
        return install(host, clock, DEFAULT_RETRY);
    }

    /**
     * Makes a client for {@code host}: serves the stop protocol on it and dials its circuit addresses.
     *
     * @param retry how long after a failed reservation {@link #keep} tries again
     */
    public static RelayClient install(Host host, Clock clock, Duration retry) {
        RelayClient client = new RelayClient(host, clock, retry);
        host.addProtocol(client);
        host.useCircuits(client);
        return client;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(CircuitRelay.STOP_PROTOCOL);
    }

    @Override
    public void initStream(P2pStream stream) {
        stream.channel().pipeline().addLast("stop", new StopExchange(stream));
    }

    // ---- reservations

    /**
     * Reserves a slot on the relay at {@code relay} (which must end in {@code /p2p/<relay>}), dialling it if need be.
     *
     * @return the reservation; or a failure: a {@link RelayException} with the relay's refusal, or why the relay
     *     could not be reached
     */
    public CompletableFuture<Reservation> reserve(Multiaddr relay) {
        Optional<PeerId> relayPeer = relay.peerId();
        if (relayPeer.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a relay address ends in /p2p/<relay>: "
                    + relay));
        }
        CompletableFuture<Reservation> result = new CompletableFuture<>();
        host.dial(relay).thenCompose(connection -> host.newStream(connection, handler(CircuitRelay.HOP_PROTOCOL,
                stream -> stream.channel().pipeline().addLast("hop", new ReserveExchange(relayPeer.get(),
                        connection.remoteAddress(), result)))))
                .whenComplete((stream, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    }
                });
        return result.whenComplete((r, e) -> {
            if (r != null && reservations.put(r.relay(), r) == null) {
                onCircuitAddressesChanged.run();
            }
        });
    }

    /**
     * Calls {@code listener} whenever this host gets a reservation on a relay it held none on (not on renewals), or
     * drops one it no longer keeps: its circuit addresses changed then, and peers may want to hear of them (identify
     * push). Called on an I/O or timer thread.
     */
    public void onCircuitAddressesChanged(Runnable listener) {
        this.onCircuitAddressesChanged = listener;
    }

    /**
     * Holds a reservation on {@code relay} from now on: reserves now, renews halfway to each expiry or after four retry
     * intervals, whichever comes first, and tries again after the retry interval while the relay refuses or cannot be
     * reached.
     */
    public void keep(Multiaddr relay) {
        Object token = new Object();
        if (kept.putIfAbsent(relay, token) == null) {
            schedule(relay, token, Duration.ZERO);
        }
    }

    /**
     * Stops holding a reservation on {@code relay} (as given to {@link #keep}): it is neither renewed nor retried, and
     * its circuit addresses are no longer among {@link #circuitAddresses()} unless another kept address names the
     * same relay. The relay forgets the slot at its expiry (circuit relay v2 has no message to give one back).
     *
     * @return true if {@code relay} was kept
     */
    public boolean release(Multiaddr relay) {
        if (kept.remove(relay) == null) {
            return false;
        }
        forgetUnlessKept(relay);
        log.info("relay: no longer keeping a reservation on {}", relay);
        return true;
    }

    /** The relay addresses {@link #keep} holds reservations on now, in no order. */
    public Set<Multiaddr> kept() {
        return Set.copyOf(kept.keySet());
    }

    /**
     * Drops the reservation on {@code relay} unless another kept address names it. If one was dropped, peers are told
     * ({@link #onCircuitAddressesChanged}): a reservation that completed after its release was already
     * announced, and its circuit address must not stay announced.
     */
    private void forgetUnlessKept(Multiaddr relay) {
        relay.peerId().ifPresent(peer -> {
            if (kept.keySet().stream().noneMatch(k -> k.peerId().filter(peer::equals).isPresent())
                    && reservations.remove(peer) != null) {
                onCircuitAddressesChanged.run();
            }
        });
    }

    private void schedule(Multiaddr relay, Object token, Duration delay) {
        if (closed || kept.get(relay) != token) {
            return;
        }
        timer.schedule(() -> {
            if (kept.get(relay) != token) {
                return; // released meanwhile
            }
            reserve(relay).whenComplete((r, e) -> {
                if (kept.get(relay) != token) {
                    forgetUnlessKept(relay); // released while the reservation was under way
                    return;
                }
                if (e != null) {
                    log.info("relay: no reservation on {} ({}); trying again in {}", relay, rootCause(e), retry);
                    relay.peerId().ifPresent(reservations::remove);
                    schedule(relay, token, retry);
                } else {
                    // renewed halfway to its end, and at least every four retry intervals, so that a relay that
                    // restarted (and forgot the slot) has it again soon
                    Duration left = Duration.between(clock.instant(), r.expires());
                    Duration renewIn = left.dividedBy(2);
                    if (renewIn.compareTo(retry.multipliedBy(4)) > 0) {
                        renewIn = retry.multipliedBy(4);
                    }
                    schedule(relay, token, renewIn.compareTo(MIN_RENEWAL) < 0 ? MIN_RENEWAL : renewIn);
                }
            });
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The reservations held now (expired ones and those whose relay connection is gone left out). */
    public List<Reservation> reservations() {
        Instant now = clock.instant();
        return reservations.values().stream()
                .filter(r -> r.expires().isAfter(now) && host.isConnected(r.relay())).toList();
    }

    /** The addresses to announce for reaching this host through its relays, each ending in {@code /p2p-circuit}. */
    public List<Multiaddr> circuitAddresses() {
        Set<Multiaddr> out = new LinkedHashSet<>();
        reservations().forEach(r -> out.addAll(r.circuitAddresses()));
        return List.copyOf(out);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }

    // ---- circuits out

    @Override
    public CompletableFuture<Channel> openCircuit(Multiaddr relay, PeerId target,
                                                  Consumer<Channel> onOpen) {
        Optional<PeerId> relayPeer = relay.peerId();
        if (relayPeer.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a circuit address names its relay with /p2p/<relay> before /p2p-circuit: " + relay));
        }
        CompletableFuture<Connection> toRelay = relay.components().size() == 1
                ? host.connection(relayPeer.get()).map(CompletableFuture::completedFuture).orElseGet(() ->
                        CompletableFuture.failedFuture(new IllegalStateException("not connected to relay " + relay)))
                : host.dial(relay);
        CompletableFuture<Channel> result = new CompletableFuture<>();
        toRelay.thenCompose(connection -> {
            if (!connection.direct()) {
                throw new IllegalStateException("the connection to relay " + relayPeer.get() + " is itself relayed");
            }
            return host.newStream(connection, handler(CircuitRelay.HOP_PROTOCOL,
                    stream -> stream.channel().pipeline().addLast("hop", new ConnectExchange(target, onOpen, result))));
        }).whenComplete((stream, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    // ---- exchanges

    private static ProtocolHandler handler(String protocol, java.util.function.Consumer<P2pStream> init) {
        return new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(protocol);
            }

            @Override
            public void initStream(P2pStream stream) {
                init.accept(stream);
            }
        };
    }

    /** RESERVE and the relay's answer. */
    private final class ReserveExchange extends CircuitExchange {

        private final PeerId relay;
        private final Multiaddr dialled;
        private final CompletableFuture<Reservation> result;

        ReserveExchange(PeerId relay, Multiaddr dialled, CompletableFuture<Reservation> result) {
            this.relay = relay;
            this.dialled = dialled;
            this.result = result;
        }

        @Override
        String protocolName() {
            return "hop reservation";
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            super.handlerAdded(ctx);
            send(ctx, HopMessage.newBuilder().setType(HopMessage.Type.RESERVE).build());
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            result.completeExceptionally(new RelayException(Status.MALFORMED_MESSAGE, "reservation on " + relay
                    + " failed: " + reason));
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] bytes) throws InvalidProtocolBufferException {
            HopMessage answer = HopMessage.parseFrom(bytes);
            finish();
            ctx.close();
            if (answer.getType() != HopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
                result.completeExceptionally(new RelayException(answer.getStatus(), "relay " + relay
                        + " refused the reservation"));
                return;
            }
            if (!answer.hasReservation()) {
                result.completeExceptionally(new RelayException(Status.MALFORMED_MESSAGE, "relay " + relay
                        + " answered OK without a reservation"));
                return;
            }
            CircuitProto.Reservation wire = answer.getReservation();
            if (wire.hasVoucher()) {
                try {
                    Voucher voucher = Voucher.open(wire.getVoucher().toByteArray());
                    if (!voucher.relay().equals(relay) || !voucher.peer().equals(host.peerId())) {
                        throw new IllegalArgumentException("it is for " + voucher.peer() + " on " + voucher.relay());
                    }
                } catch (IllegalArgumentException e) {
                    result.completeExceptionally(new RelayException(Status.MALFORMED_MESSAGE, "relay " + relay
                            + " sent a bad voucher: " + e.getMessage()));
                    return;
                }
            }
            Set<Multiaddr> addresses = new LinkedHashSet<>();
            for (ByteString bytesOfAddr : wire.getAddrsList()) {
                try {
                    Multiaddr a = Multiaddr.fromBytes(bytesOfAddr.toByteArray());
                    if (!isUnspecified(a)) {
                        addresses.add(circuit(a, relay));
                    }
                } catch (IllegalArgumentException e) {
                    log.debug("relay {} lists an address this host cannot read: {}", relay, e.getMessage());
                }
            }
            // the address this host reached the relay at works too, and is the one a NAT'ed relay may not know
            if (dialled.valueOf(MultiaddrProtocol.P2P_CIRCUIT).isEmpty()) {
                addresses.add(circuit(dialled, relay));
            }
            Reservation reservation = new Reservation(relay, Instant.ofEpochSecond(wire.getExpire()),
                    new ArrayList<>(addresses), answer.hasLimit() ? CircuitLimit.fromWire(answer.getLimit())
                            : CircuitLimit.NONE);
            if (reservations.containsKey(relay)) {
                log.debug("relay: reservation on {} renewed until {}", relay, reservation.expires());
            } else {
                log.info("relay: reservation on {} until {}, reachable at {}", relay, reservation.expires(),
                        reservation.circuitAddresses());
            }
            result.complete(reservation);
        }
    }

    private static boolean isUnspecified(Multiaddr a) {
        return a.valueOf(MultiaddrProtocol.IP4).filter("0.0.0.0"::equals).isPresent()
                || a.valueOf(MultiaddrProtocol.IP6).filter("::"::equals).isPresent();
    }

    /** {@code address} (with or without {@code /p2p/<relay>}) as {@code …/p2p/<relay>/p2p-circuit}. */
    private static Multiaddr circuit(Multiaddr address, PeerId relay) {
        return Multiaddr.parse(address.withPeerId(relay) + "/p2p-circuit");
    }

    /** CONNECT to a target and the relay's answer; on OK the stream is the circuit. */
    private final class ConnectExchange extends CircuitExchange {

        private final PeerId target;
        private final Consumer<Channel> onOpen;
        private final CompletableFuture<Channel> result;

        ConnectExchange(PeerId target, Consumer<Channel> onOpen, CompletableFuture<Channel> result) {
            this.target = target;
            this.onOpen = onOpen;
            this.result = result;
        }

        @Override
        String protocolName() {
            return "hop connect";
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            super.handlerAdded(ctx);
            send(ctx, HopMessage.newBuilder().setType(HopMessage.Type.CONNECT)
                    .setPeer(CircuitProto.Peer.newBuilder().setId(ByteString.copyFrom(target.bytes()))).build());
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            result.completeExceptionally(new RelayException(Status.CONNECTION_FAILED, "circuit to " + target
                    + " failed: " + reason));
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] bytes) throws InvalidProtocolBufferException {
            HopMessage answer = HopMessage.parseFrom(bytes);
            finish();
            if (answer.getType() != HopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
                ctx.close();
                result.completeExceptionally(new RelayException(answer.getStatus(), "the relay refused a circuit to "
                        + target));
                return;
            }
            // The host installs the connection upgrade here, on this event loop; bytes the target sent after the
            // relay's answer are held until then and go to it.
            try {
                onOpen.accept(ctx.channel());
            } finally {
                result.complete(ctx.channel());
                handOver(ctx);
            }
        }
    }

    /** A relay's CONNECT to this host, accepted from relays this host holds a reservation on. */
    private final class StopExchange extends CircuitExchange {

        private final P2pStream stream;

        StopExchange(P2pStream stream) {
            this.stream = stream;
        }

        @Override
        String protocolName() {
            return "stop stream";
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            log.debug("stop stream from {} failed: {}", stream.remotePeer(), reason);
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] bytes) throws InvalidProtocolBufferException {
            StopMessage message = StopMessage.parseFrom(bytes);
            finish();
            PeerId relay = stream.remotePeer();
            if (message.getType() != StopMessage.Type.CONNECT) {
                refuse(relay, "unexpected stop message " + message.getType());
                answer(ctx, Status.UNEXPECTED_MESSAGE);
                return;
            }
            PeerId source;
            try {
                source = new PeerId(message.getPeer().getId().toByteArray());
            } catch (IllegalArgumentException e) {
                refuse(relay, "a circuit without a valid source peer id");
                answer(ctx, Status.MALFORMED_MESSAGE);
                return;
            }
            Connection toRelay = Connection.of(stream.channel());
            if (!reservations.containsKey(relay) || toRelay == null || !toRelay.direct()) {
                refuse(relay, "a circuit from " + source + " through a relay this host holds no reservation on");
                answer(ctx, Status.PERMISSION_DENIED);
                return;
            }
            send(ctx, StopMessage.newBuilder().setType(StopMessage.Type.STATUS).setStatus(Status.OK).build());
            Multiaddr remote = circuit(toRelay.remoteAddress(), relay);
            host.acceptCircuit(ctx.channel(), remote).whenComplete((c, e) -> {
                if (e != null) {
                    log.info("relay: circuit from {} through {} failed: {}", source, relay, rootCause(e));
                } else if (!c.remotePeer().equals(source)) {
                    log.warn("relay: closing circuit through {}: it announced {} but {} answered", relay, source,
                            c.remotePeer());
                    c.close();
                }
            });
            handOver(ctx);
        }

        private void answer(ChannelHandlerContext ctx, Status status) {
            send(ctx, StopMessage.newBuilder().setType(StopMessage.Type.STATUS).setStatus(status).build())
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void refuse(PeerId relay, String why) {
        long count = refusals.event(relay.toString());
        if (count > 0) {
            log.warn("relay client refused a stop request from {}: {} ({} such since the last line)", relay, why,
                    count);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
