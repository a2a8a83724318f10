package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrException;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.quic.QuicTransport;
import io.p2psync.p2p.transport.ListenAddresses;
import io.p2psync.p2p.transport.TcpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host over TCP with Noise and yamux, and over QUIC: the one entry point the rest of the service uses.
 *
 * <p>It keeps the connections per peer (the newest one to a peer is used for new streams), tells
 * {@link ConnectionListener}s when a peer comes and goes, and redials a peer it dialled by a
 * {@code /p2p/} address after losing it, per its {@link RedialPolicy}. Bad input from the network closes
 * only the connection or stream it came on, with a logged reason. All methods are thread-safe.
 */
public final class Host implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Host.class);
    /** The least time between two log lines about refused connections of one kind. */
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    private final PrivateKey identity;
    private final String agentVersion;
    private final int maxInboundConnections;
    private final AtomicInteger inboundConnections = new AtomicInteger();
    private final EventLoopGroup group;
    private final TcpTransport tcp;
    private final int maxInboundStreams;
    private final Duration quicIdleTimeout;
    /** Guards {@link #quic}, apart from the host's own lock, which {@link #close()} holds while it waits. */
    private final Object quicLock = new Object();
    private QuicTransport quic;
    private final Streams streams = new Streams();
    private final ConnectionUpgrader upgrader;
    /**
     * Secures {@link #dialSeparately} connections under a key of their own, made per host, as AutoNAT allows: the
     * peer sees a stranger's connection, not a second one from this host that would carry its new streams to this host
     * until it closes a moment later. Streams the peer opens on it are closed.
     */
    private final ConnectionUpgrader separateUpgrader;
    private final PeerConnections connections = new PeerConnections();
    private final Redialer redialer;
    /** The listening channels (TCP servers and UDP sockets) with the address each was asked to bind. */
    private final Map<Channel, Multiaddr> servers = new LinkedHashMap<>();
    /**
     * Dials under way, by address with its peer id: a second dial of the same address waits for the first. A dial
     * of the same peer at another address goes ahead, so a caller that gave up on one address (a QUIC address
     * that does not answer, say) can try the next at once.
     */
    private final Map<Multiaddr, CompletableFuture<Connection>> pendingDials = new HashMap<>();
    /** Keeps what peers can make this host log about refused connections to a line per kind and interval. */
    private final LogSummary<String> refusals = new LogSummary<>(Clock.systemUTC(), REFUSAL_LOG_INTERVAL, 16);
    private final GuestConnections guests;
    private volatile CircuitDialer circuits;
    private volatile boolean closed;

    private Host(HostBuilder builder) {
        this.identity = builder.privateKey;
        this.agentVersion = builder.agentVersion;
        this.maxInboundConnections = builder.maxInboundConnections;
        this.group = new MultiThreadIoEventLoopGroup(builder.ioThreads, NioIoHandler.newFactory());
        this.tcp = new TcpTransport(group);
        this.maxInboundStreams = builder.maxInboundStreams;
        this.quicIdleTimeout = builder.quicIdleTimeout;
        this.upgrader = new ConnectionUpgrader(identity, streams::acceptInbound, builder.maxInboundStreams);
        this.separateUpgrader = new ConnectionUpgrader(PrivateKey.generate(), Channel::close, 1);
        this.redialer = new Redialer(builder.redialPolicy, group, this::dial, connections::contains);
        this.guests = new GuestConnections(builder.trustedPeers, builder.maxGuestConnections, builder.guestGracePeriod,
                refusals);
        builder.protocols.forEach(streams::register);
        builder.listeners.forEach(connections::addListener);
        long every = REFUSAL_LOG_INTERVAL.toMillis();
        group.scheduleAtFixedRate(this::logRefusals, every, every, TimeUnit.MILLISECONDS);
    }

    public static HostBuilder builder() {
        return new HostBuilder();
    }

    static Host start(HostBuilder builder) {
        Host host = new Host(builder);
        try {
            for (Multiaddr address : builder.listen) {
                ChannelFuture bound = address.isQuic() ? host.listenQuic(address) : host.tcp.listen(address, host::accept);
                if (!bound.awaitUninterruptibly().isSuccess()) {
                    throw new UncheckedIOException(new IOException("cannot listen on " + address, bound.cause()));
                }
                host.servers.put(bound.channel(), address);
            }
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        log.info("libp2p host {} listening on {}", host.peerId(), host.listenAddresses());
        return host;
    }

    public PeerId peerId() {
        return identity.peerId();
    }

    public PublicKey publicKey() {
        return identity.publicKey();
    }

    public String agentVersion() {
        return agentVersion;
    }

    /**
     * The addresses this host accepts connections on, without {@code /p2p}, in the order they were bound; empty
     * for a dial-only host.
     */
    public List<Multiaddr> listenAddresses() {
        return servers.entrySet().stream()
                .flatMap(s -> ListenAddresses.of(s.getKey(), s.getValue()).stream()).toList();
    }

    /** The protocol ids served on inbound streams, sorted. */
    public List<String> protocolIds() {
        return streams.protocolIds();
    }

    /** Serves another protocol from now on. @throws IllegalArgumentException if an id is taken */
    public void addProtocol(ProtocolHandler handler) {
        streams.register(handler);
    }

    /** Stops serving {@code handler}'s protocols on new streams; open streams run on. */
    public void removeProtocol(ProtocolHandler handler) {
        streams.unregister(handler);
    }

    public void addConnectionListener(ConnectionListener listener) {
        connections.addListener(listener);
    }

    public void removeConnectionListener(ConnectionListener listener) {
        connections.removeListener(listener);
    }

    /**
     * Connects to {@code address}, or returns the open connection to its peer. With a {@code /p2p/}
     * part the connection is refused unless the peer proves that identity, and the peer is redialled if
     * the connection is later lost (until {@link #disconnect}).
     *
     * @return the connection, or a failure: the {@code MultiaddrException}, connect, multistream or
     *     {@code NoiseException} that stopped it; over QUIC a {@code TimeoutException}, the TLS handshake's
     *     {@code SSLHandshakeException}, a {@code CertificateException} for another peer than the one dialled,
     *     or an {@code IllegalStateException} where QUIC is not available
     */
    public CompletableFuture<Connection> dial(Multiaddr address) {
        Optional<PeerId> peer;
        Optional<Multiaddr> relay;
        try {
            peer = address.peerId();
            relay = relayPart(address);
            Multiaddr target = address.withoutPeerId();
            if (relay.isPresent()) {
                if (peer.isEmpty()) {
                    throw new MultiaddrException("a circuit address must end in /p2p/<target>: " + address);
                }
                if (circuits == null) {
                    throw new IllegalStateException("this host does not dial through relays: " + address);
                }
            } else if (target.isQuic()) {
                if (target.toQuicSocketAddress().isUnresolved()) {
                    throw new MultiaddrException("QUIC is dialled by IP address only, not by name: " + address);
                }
            } else {
                target.toTcpSocketAddress();
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (peer.isPresent() && peer.get().equals(peerId())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial this host itself"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
        }
        CompletableFuture<Connection> attempt = new CompletableFuture<>();
        if (peer.isPresent()) {
            Optional<Connection> existing = connections.primary(peer.get());
            if (existing.isPresent()) {
                return CompletableFuture.completedFuture(existing.get());
            }
            synchronized (pendingDials) {
                CompletableFuture<Connection> pending = pendingDials.putIfAbsent(address, attempt);
                if (pending != null) {
                    return pending;
                }
            }
        }
        if (relay.isPresent()) {
            Multiaddr remote = address.withoutPeerId();
            // on the circuit's event loop, while the relay client still holds what the target sent already
            Consumer<Channel> upgrade = circuit -> {
                try {
                    upgrader.upgrade(circuit, true, peer, Connection.Transport.RELAYED, remote)
                            .whenComplete((c, failed) -> {
                                if (failed != null) {
                                    attempt.completeExceptionally(failed);
                                } else {
                                    attempt.complete(c);
                                }
                            });
                } catch (RuntimeException failed) {
                    attempt.completeExceptionally(failed);
                    circuit.close();
                }
            };
            circuits.openCircuit(relay.get(), peer.get(), upgrade).whenComplete((circuit, e) -> {
                if (e != null) {
                    attempt.completeExceptionally(e);
                }
            });
        } else if (address.withoutPeerId().isQuic()) {
            dialQuic(address.withoutPeerId(), peer, attempt);
        } else {
            tcp.dial(address.withoutPeerId(), ch -> upgrader.upgrade(ch, true, peer).whenComplete((c, e) -> {
                if (e != null) {
                    attempt.completeExceptionally(e);
                } else {
                    attempt.complete(c);
                }
            })).addListener(connected -> {
                if (!connected.isSuccess()) {
                    attempt.completeExceptionally(connected.cause());
                }
            });
        }
        return attempt.handle((connection, error) -> {
            peer.ifPresent(p -> {
                synchronized (pendingDials) {
                    pendingDials.remove(address, attempt);
                }
            });
            if (error != null) {
                log.debug("dialling {} failed: {}", address, error.toString());
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            // Remembered first, so that a connection lost right after it is booked is redialled.
            peer.ifPresent(p -> redialer.remember(p, address));
            if (!register(connection)) {
                throw new CompletionException(new IllegalStateException("refused " + connection));
            }
            return connection;
        });
    }

    /**
     * Dials {@code peer} straight at {@code address} from local TCP port {@code localPort}, for a hole punch
     * (libp2p/specs relay/DCUtR.md): unlike {@link #dial} it goes ahead while a relayed connection to the peer is
     * open, and secures the connection in the role DCUtR gives this side rather than by who dialled, so that a TCP
     * simultaneous open, where both sides dialled, has one initiator. The new connection carries the peer's new
     * streams from then on. It is not redialled when lost. Cancelling the future closes the attempt.
     *
     * @param initiator true to run multistream-select and Noise as the initiator (DCUtR's side that dials on SYNC)
     * @return the connection once secured and booked; a failure as for {@link #dial}
     */
    public CompletableFuture<Connection> dialForHolePunch(Multiaddr address, PeerId peer, int localPort,
            boolean initiator) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
        }
        CompletableFuture<Connection> attempt = new CompletableFuture<>();
        ChannelFuture connecting;
        try {
            connecting = tcp.dialFrom(localPort, address.withoutPeerId(), ch -> upgrader
                    .upgrade(ch, initiator, Optional.of(peer)).whenComplete((c, e) -> {
                        if (e != null) {
                            attempt.completeExceptionally(e);
                        } else if (!attempt.complete(c)) {
                            c.close(); // given up on while it was secured
                        }
                    }));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        connecting.addListener(connected -> {
            if (!connected.isSuccess()) {
                attempt.completeExceptionally(connected.cause());
            }
        });
        CompletableFuture<Connection> result = new CompletableFuture<>();
        attempt.whenComplete((connection, e) -> {
            if (e != null) {
                connecting.channel().close();
                result.completeExceptionally(e);
            } else if (result.isDone()) {
                connection.close(); // given up on while it was secured
            } else if (!register(connection)) {
                result.completeExceptionally(new IllegalStateException("refused " + connection));
            } else if (!result.complete(connection)) {
                connection.close();
            }
        });
        // a caller that gives up (cancels, or completes it on a timeout) ends the attempt
        result.whenComplete((c, e) -> {
            if (e != null) {
                attempt.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Dials {@code peer} at {@code address} on a connection of its own, to learn whether the peer can be reached there
     * (an AutoNAT dial-back, libp2p/specs autonat/autonat-v1.md): unlike {@link #dial} it goes ahead while a
     * connection to the peer is open, and the new connection is not booked, so it carries no new streams, no
     * listener hears of it, and it is not redialled. It is secured under another peer id than this host's (one made
     * for the host's dial-backs), as the spec allows, so that on the peer's side it is not a second connection to this
     * host that would take the peer's new streams until it closes. The caller closes it. Cancelling the future closes
     * the attempt.
     *
     * @param address a TCP address ({@code /ip4|ip6/…/tcp/…}), with or without {@code /p2p/}
     * @return the connection once Noise proved it is {@code peer}; a failure as for {@link #dial}
     */
    public CompletableFuture<Connection> dialSeparately(Multiaddr address, PeerId peer) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        ChannelFuture connecting;
        try {
            Multiaddr target = address.withoutPeerId();
            if (target.isQuic() || relayPart(target).isPresent() || target.toTcpSocketAddress().isUnresolved()) {
                throw new MultiaddrException("a dial-back goes to a TCP address with an IP: " + address);
            }
            connecting = tcp.dial(target, ch -> separateUpgrader.upgrade(ch, true, Optional.of(peer))
                    .whenComplete((c, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else if (!result.complete(c)) {
                            c.channel().close(); // given up on while it was secured
                        }
                    }));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        connecting.addListener(connected -> {
            if (!connected.isSuccess()) {
                result.completeExceptionally(connected.cause());
            }
        });
        result.whenComplete((c, e) -> {
            if (e != null) {
                connecting.channel().close();
            }
        });
        return result;
    }

    /**
     * Dials circuit addresses ({@code …/p2p/<relay>/p2p-circuit/p2p/<target>}) with {@code dialer} from now on;
     * without one they fail.
     */
    public void useCircuits(CircuitDialer dialer) {
        this.circuits = dialer;
    }

    /**
     * Secures and multiplexes a circuit a relay opened to this host (as the listening side), and books the
     * connection as {@link Connection.Transport#RELAYED} like any inbound one (a peer that is not trusted is a
     * guest). Call it on the circuit's event loop, with no handler of the relay protocol left on it.
     *
     * @param remoteAddress the relay's address with {@code /p2p/<relay>/p2p-circuit}
     * @return the connection once booked; a failure if the handshake failed (the circuit is closed then)
     */
    public CompletableFuture<Connection> acceptCircuit(Channel circuit, Multiaddr remoteAddress) {
        return upgrader.upgrade(circuit, false, Optional.empty(), Connection.Transport.RELAYED, remoteAddress)
                .thenApply(connection -> {
                    if (!register(connection)) {
                        throw new CompletionException(new IllegalStateException("refused " + connection));
                    }
                    return connection;
                });
    }

    /** The part of a circuit address before {@code /p2p-circuit}, if it is one. */
    private static Optional<Multiaddr> relayPart(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).protocol() == io.p2psync.p2p.core.MultiaddrProtocol.P2P_CIRCUIT) {
                if (i == 0) {
                    throw new MultiaddrException("a circuit address starts with the relay's address: " + address);
                }
                return Optional.of(new Multiaddr(parts.subList(0, i)));
            }
        }
        return Optional.empty();
    }

    /**
     * Opens a stream to a connected peer, speaking the first of {@code protocols} it supports. The
     * handler registered for the agreed protocol, if any, initializes the stream before the future
     * completes. Fails with {@link NotConnectedException} if there is no connection to {@code peer}.
     */
    public CompletableFuture<P2pStream> newStream(PeerId peer, String... protocols) {
        return newStream(peer, List.of(protocols), null);
    }

    /** Like {@link #newStream(PeerId, String...)} with {@code handler}'s protocols, initialized by {@code handler}. */
    public CompletableFuture<P2pStream> newStream(PeerId peer, ProtocolHandler handler) {
        return newStream(peer, handler.protocolIds(), handler);
    }

    /** Like {@link #newStream(PeerId, ProtocolHandler)}, on one given connection rather than the peer's newest. */
    public CompletableFuture<P2pStream> newStream(Connection connection, ProtocolHandler handler) {
        return streams.open(connection, handler.protocolIds(), handler);
    }

    private CompletableFuture<P2pStream> newStream(PeerId peer, List<String> protocols, ProtocolHandler handler) {
        Optional<Connection> connection = connections.primary(peer);
        if (connection.isEmpty()) {
            return CompletableFuture.failedFuture(new NotConnectedException(peer));
        }
        return streams.open(connection.get(), protocols, handler);
    }

    /** The connection new streams to {@code peer} use, if connected. */
    public Optional<Connection> connection(PeerId peer) {
        return connections.primary(peer);
    }

    /** An open connection to {@code peer} that is not through a relay, if there is one. */
    public Optional<Connection> directConnection(PeerId peer) {
        return connections.of(peer).stream().filter(c -> c.direct() && c.isOpen()).findFirst();
    }

    /** Every open connection, authenticated and ready for streams. */
    public List<Connection> connections() {
        return connections.all();
    }

    public boolean isConnected(PeerId peer) {
        return connections.contains(peer);
    }

    public Set<PeerId> connectedPeers() {
        return connections.peers();
    }

    /** Stops redialling {@code peer} and closes every connection to it. */
    public void disconnect(PeerId peer) {
        redialer.forget(peer);
        for (Connection connection : connections.of(peer)) {
            connection.close();
            // Forgotten at once, not when its channel closes: a closing QUIC connection drains for a while
            // (until the peer's answer, or three probe timeouts when a peer does not answer, as js-libp2p's
            // QUIC does not), and the peer is to count as disconnected from now on.
            connections.remove(connection);
        }
    }

    /**
     * Stops listening, closes every connection (yamux go-away first) and the I/O threads. Idempotent.
     * Blocks for a few seconds at most; never call it on an event loop (e.g. from a listener).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        redialer.close();
        List<Connection> open = connections.closeAll();
        open.forEach(Connection::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // one wait for all, not one per connection
        for (Connection c : open) {
            c.channel().closeFuture().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        // Listeners last: a QUIC listener's UDP socket carries its inbound connections, and closing it first
        // would drop them without the CONNECTION_CLOSE that tells their peers at once.
        servers.keySet().forEach(Channel::close);
        synchronized (quicLock) {
            if (quic != null) {
                quic.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void accept(Channel channel) {
        if (admitInbound(channel, channel.remoteAddress())) {
            upgrader.upgrade(channel, false, Optional.empty()).thenAccept(this::register);
        }
    }

    private void acceptQuic(QuicChannel channel) {
        if (!admitInbound(channel, channel.remoteSocketAddress())) {
            return;
        }
        try {
            register(QuicConnections.of(channel, false, Optional.empty()));
        } catch (CertificateException e) {
            if (refusals.event("quic-peer-id") > 0) {
                log.warn("closing QUIC connection from {}: {}", channel.remoteSocketAddress(), e.getMessage());
            }
            channel.close();
        }
    }

    /** Counts an inbound connection while it is open; false (and closed) if the inbound limit is reached. */
    private boolean admitInbound(Channel channel, SocketAddress from) {
        if (inboundConnections.incrementAndGet() > maxInboundConnections) {
            inboundConnections.decrementAndGet();
            long count = refusals.event("inbound-full");
            if (count > 0) {
                log.warn("refusing connection from {}: {} inbound connections open ({} refused since the last line)",
                        from, maxInboundConnections, count);
            }
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> inboundConnections.decrementAndGet());
        return true;
    }

    /**
     * Binds a QUIC listener; with port 0, the port a TCP listener of this host already has on the same IP if
     * it is free for UDP too, so that both transports share one port number as libp2p nodes usually do.
     */
    private ChannelFuture listenQuic(Multiaddr address) {
        QuicTransport transport = quic();
        if (address.toQuicSocketAddress().getPort() == 0) {
            for (Channel server : servers.keySet()) {
                Optional<Multiaddr> samePort = ListenAddresses.quicOnTcpPort(server, servers.get(server), address);
                if (samePort.isPresent()) {
                    ChannelFuture bound = transport.listen(samePort.get(), this::acceptQuic).awaitUninterruptibly();
                    if (bound.isSuccess()) {
                        return bound;
                    }
                }
            }
        }
        return transport.listen(address, this::acceptQuic);
    }

    private void dialQuic(Multiaddr address, Optional<PeerId> peer, CompletableFuture<Connection> attempt) {
        QuicTransport transport;
        try {
            transport = quic();
        } catch (RuntimeException unavailable) {
            attempt.completeExceptionally(unavailable);
            return;
        }
        transport.dial(address).addListener(connected -> {
            if (!connected.isSuccess()) {
                attempt.completeExceptionally(connected.cause());
                return;
            }
            QuicChannel channel = (QuicChannel) connected.getNow();
            try {
                attempt.complete(QuicConnections.of(channel, true, peer));
            } catch (CertificateException e) {
                log.warn("closing QUIC connection to {}: {}", address, e.getMessage());
                channel.close();
                attempt.completeExceptionally(e);
            }
        });
    }

    /**
     * The QUIC transport, made on first use (its certificate and TLS contexts cost a few milliseconds).
     *
     * @throws IllegalStateException if Netty's native QUIC library cannot be loaded on this platform
     */
    private QuicTransport quic() {
        synchronized (quicLock) {
            if (closed) {
                throw new IllegalStateException("host is closed");
            }
            if (quic == null) {
                if (!Quic.isAvailable()) {
                    throw new IllegalStateException("QUIC is not available on this platform: " + Quic.unavailabilityCause());
                }
                quic = new QuicTransport(group, identity, maxInboundStreams, quicIdleTimeout, streams::acceptInbound,
                        refusals);
            }
            return quic;
        }
    }

    /** Books an authenticated connection; false if it was refused (and closed). */
    private boolean register(Connection connection) {
        if (connection.remotePeer().equals(peerId())) {
            log.warn("closing {}: it is a connection to this host itself", connection);
            connection.channel().close();
            return false;
        }
        if (!connection.outbound() && !guests.admit(connection)) {
            return false;
        }
        if (!connections.add(connection)) {
            connection.close();
            return false;
        }
        connection.channel().closeFuture().addListener(f -> {
            if (connections.remove(connection)) {
                redialer.lost(connection.remotePeer());
            }
        });
        return true;
    }

    private void logRefusals() {
        for (LogSummary.Summary<String> s : refusals.flush()) {
            log.warn("refused or closed {} more inbound connections ({}) since {}", s.count(), s.key(), s.since());
        }
    }

    @Override
    public String toString() {
        return "Host[" + peerId() + "]";
    }
}
