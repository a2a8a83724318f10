package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.transport.TcpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host over TCP with Noise and yamux: the one entry point the rest of the service uses.
 *
 * <p>It keeps the connections per peer (the first one to a peer is used for new streams), tells
 * {@link ConnectionListener}s when a peer comes and goes, and redials a peer it dialled by a
 * {@code /p2p/} address after losing it, per its {@link RedialPolicy}. Bad input from the network closes
 * only the connection or stream it came on, with a logged reason. All methods are thread-safe.
 */
public final class Host implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Host.class);

    private final PrivateKey identity;
    private final String agentVersion;
    private final RedialPolicy redialPolicy;
    private final EventLoopGroup group;
    private final TcpTransport tcp;
    private final Streams streams = new Streams();
    private final ConnectionUpgrader upgrader;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Channel, Multiaddr> servers = new java.util.LinkedHashMap<>();
    // All guarded by "this".
    private final Map<PeerId, List<Connection>> connections = new HashMap<>();
    private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new HashMap<>();
    private final Map<PeerId, Multiaddr> keepConnected = new HashMap<>();
    private final Map<PeerId, Integer> redialAttempts = new HashMap<>();
    private boolean closed;

    private Host(HostBuilder builder) {
        this.identity = builder.privateKey;
        this.agentVersion = builder.agentVersion;
        this.redialPolicy = builder.redialPolicy;
        this.group = new MultiThreadIoEventLoopGroup(builder.ioThreads, NioIoHandler.newFactory());
        this.tcp = new TcpTransport(group);
        this.upgrader = new ConnectionUpgrader(identity, streams::acceptInbound);
        builder.protocols.forEach(streams::register);
        listeners.addAll(builder.listeners);
    }

    public static HostBuilder builder() {
        return new HostBuilder();
    }

    static Host start(HostBuilder builder) {
        Host host = new Host(builder);
        try {
            for (Multiaddr address : builder.listen) {
                ChannelFuture bound = host.tcp.listen(address, ch -> host.accept(ch)).awaitUninterruptibly();
                if (!bound.isSuccess()) {
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

    /** The addresses this host accepts connections on, without {@code /p2p}; empty for a dial-only host. */
    public List<Multiaddr> listenAddresses() {
        return servers.entrySet().stream()
                .flatMap(s -> TcpTransport.listenAddresses(s.getKey(), s.getValue()).stream()).toList();
    }

    /** The protocol ids served on inbound streams, sorted. */
    public List<String> protocolIds() {
        return streams.protocolIds();
    }

    /** Serves another protocol from now on. @throws IllegalArgumentException if an id is taken */
    public void addProtocol(ProtocolHandler handler) {
        streams.register(handler);
    }

    public void addConnectionListener(ConnectionListener listener) {
        listeners.add(listener);
    }

    public void removeConnectionListener(ConnectionListener listener) {
        listeners.remove(listener);
    }

    /**
     * Connects to {@code address}, or returns the open connection to its peer. With a {@code /p2p/}
     * part the connection is refused unless the peer proves that identity, and the peer is redialled if
     * the connection is later lost (until {@link #disconnect}).
     *
     * @return the connection, or a failure: the {@code MultiaddrException}, connect, multistream or
     *     {@code NoiseException} that stopped it
     */
    public CompletableFuture<Connection> dial(Multiaddr address) {
        return dial(address, false);
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

    private CompletableFuture<P2pStream> newStream(PeerId peer, List<String> protocols, ProtocolHandler handler) {
        Optional<Connection> connection = connection(peer);
        if (connection.isEmpty()) {
            return CompletableFuture.failedFuture(new NotConnectedException(peer));
        }
        return streams.open(connection.get(), protocols, handler);
    }

    /** The connection new streams to {@code peer} use, if connected. */
    public synchronized Optional<Connection> connection(PeerId peer) {
        List<Connection> open = connections.get(peer);
        return open == null ? Optional.empty() : Optional.of(open.get(0));
    }

    public synchronized boolean isConnected(PeerId peer) {
        return connections.containsKey(peer);
    }

    public synchronized Set<PeerId> connectedPeers() {
        return Set.copyOf(connections.keySet());
    }

    /** Stops redialling {@code peer} and closes every connection to it. */
    public void disconnect(PeerId peer) {
        List<Connection> open;
        synchronized (this) {
            keepConnected.remove(peer);
            redialAttempts.remove(peer);
            open = List.copyOf(connections.getOrDefault(peer, List.of()));
        }
        open.forEach(Connection::close);
    }

    /** Stops listening, closes every connection (yamux go-away first) and the I/O threads. Idempotent. */
    @Override
    public void close() {
        List<Connection> open = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            keepConnected.clear();
            connections.values().forEach(open::addAll);
        }
        servers.keySet().forEach(Channel::close);
        open.forEach(Connection::close);
        for (Connection c : open) {
            c.channel().closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    // ---- connection book-keeping ----

    private CompletableFuture<Connection> dial(Multiaddr address, boolean redial) {
        Optional<PeerId> peer;
        try {
            peer = address.peerId();
            address.withoutPeerId().toTcpSocketAddress();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (peer.isPresent() && peer.get().equals(peerId())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial this host itself"));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
            }
            if (peer.isPresent()) {
                Optional<Connection> existing = connection(peer.get());
                if (existing.isPresent()) {
                    return CompletableFuture.completedFuture(existing.get());
                }
                CompletableFuture<Connection> pending = pendingDials.putIfAbsent(peer.get(), result);
                if (pending != null) {
                    return pending;
                }
            }
        }
        Consumer<Channel> upgrade = ch -> upgrader.upgrade(ch, true, peer).whenComplete((c, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(c);
            }
        });
        tcp.dial(address.withoutPeerId(), upgrade::accept).addListener(connected -> {
            if (!connected.isSuccess()) {
                result.completeExceptionally(connected.cause());
            }
        });
        return result.whenComplete((connection, error) -> dialDone(address, peer, result, connection, error, redial));
    }

    private void dialDone(Multiaddr address, Optional<PeerId> peer, CompletableFuture<Connection> attempt,
            Connection connection, Throwable error, boolean redial) {
        synchronized (this) {
            peer.ifPresent(p -> pendingDials.remove(p, attempt));
            if (connection != null && peer.isPresent()) {
                keepConnected.put(peer.get(), address);
            }
        }
        if (connection != null) {
            register(connection);
        } else {
            log.debug("dialling {} failed: {}", address, error.toString());
            if (redial) {
                peer.ifPresent(this::scheduleRedial);
            }
        }
    }

    private void accept(Channel channel) {
        upgrader.upgrade(channel, false, Optional.empty()).thenAccept(this::register);
    }

    private void register(Connection connection) {
        PeerId peer = connection.remotePeer();
        synchronized (this) {
            if (closed) {
                connection.close();
                return;
            }
            List<Connection> open = connections.computeIfAbsent(peer, p -> new ArrayList<>());
            if (open.contains(connection)) {
                return;
            }
            open.add(connection);
            redialAttempts.remove(peer);
            log.debug("connected: {}", connection);
            if (open.size() == 1) {
                listeners.forEach(l -> notify(l::connected, connection));
            }
        }
        connection.channel().closeFuture().addListener(f -> unregister(connection));
    }

    private synchronized void unregister(Connection connection) {
        PeerId peer = connection.remotePeer();
        List<Connection> open = connections.get(peer);
        if (open == null || !open.remove(connection)) {
            return;
        }
        log.debug("disconnected: {}", connection);
        if (open.isEmpty()) {
            connections.remove(peer);
            listeners.forEach(l -> notify(l::disconnected, connection));
            if (!closed && keepConnected.containsKey(peer)) {
                scheduleRedial(peer);
            }
        }
    }

    private synchronized void scheduleRedial(PeerId peer) {
        Multiaddr address = keepConnected.get(peer);
        if (closed || address == null) {
            return;
        }
        int attempt = redialAttempts.merge(peer, 1, Integer::sum);
        if (attempt > redialPolicy.maxAttempts()) {
            log.info("giving up on {} after {} redials", peer, attempt - 1);
            keepConnected.remove(peer);
            redialAttempts.remove(peer);
            return;
        }
        long delay = redialPolicy.delay(attempt).toMillis();
        log.debug("redialling {} in {} ms (attempt {})", peer, delay, attempt);
        group.next().schedule(() -> {
            synchronized (this) {
                if (closed || !address.equals(keepConnected.get(peer)) || connections.containsKey(peer)) {
                    return;
                }
            }
            dial(address, true);
        }, delay, TimeUnit.MILLISECONDS);
    }

    private static void notify(Consumer<Connection> event, Connection connection) {
        try {
            event.accept(connection);
        } catch (RuntimeException e) {
            log.warn("connection listener failed on {}", connection, e);
        }
    }

    @Override
    public String toString() {
        return "Host[" + peerId() + "]";
    }
}
