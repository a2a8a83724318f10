package io.p2psync.p2p.host;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.yamux.YamuxHandler;
import io.p2psync.p2p.quic.QuicTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Configures and starts a {@link Host}:
 *
 * <pre>{@code
 * Host host = Host.builder()
 *         .privateKey(key)
 *         .listen("/ip4/127.0.0.1/tcp/0")
 *         .protocol(new EchoHandler())
 *         .agentVersion("p2p-sync/0.1.0")
 *         .start();
 * }</pre>
 */
public final class HostBuilder {

    public static final String DEFAULT_AGENT_VERSION = "p2p-sync/0.1.0";
    public static final int DEFAULT_MAX_INBOUND_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_GUEST_CONNECTIONS = 16;
    public static final Duration DEFAULT_GUEST_GRACE_PERIOD = Duration.ofSeconds(10);

    PrivateKey privateKey;
    final List<Multiaddr> listen = new ArrayList<>();
    final List<ProtocolHandler> protocols = new ArrayList<>();
    final List<ConnectionListener> listeners = new ArrayList<>();
    String agentVersion = DEFAULT_AGENT_VERSION;
    RedialPolicy redialPolicy = RedialPolicy.DEFAULT;
    int ioThreads = 2;
    int maxInboundConnections = DEFAULT_MAX_INBOUND_CONNECTIONS;
    int maxInboundStreams = YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS;
    Duration quicIdleTimeout = QuicTransport.DEFAULT_IDLE_TIMEOUT;
    Predicate<PeerId> trustedPeers = peer -> true;
    int maxGuestConnections = DEFAULT_MAX_GUEST_CONNECTIONS;
    Duration guestGracePeriod = DEFAULT_GUEST_GRACE_PERIOD;

    HostBuilder() {
    }

    /** The host's identity; a fresh key if never set. */
    public HostBuilder privateKey(PrivateKey key) {
        this.privateKey = key;
        return this;
    }

    /** Adds a listen address ({@code /ip4|ip6/…/tcp/port}, port 0 for a free one); none means dial only. */
    public HostBuilder listen(String multiaddr) {
        return listen(Multiaddr.parse(multiaddr));
    }

    public HostBuilder listen(Multiaddr multiaddr) {
        listen.add(multiaddr);
        return this;
    }

    /** Serves a protocol on inbound streams (and initializes outbound streams that agree on it). */
    public HostBuilder protocol(ProtocolHandler handler) {
        protocols.add(handler);
        return this;
    }

    /** The agent version identify announces; {@value #DEFAULT_AGENT_VERSION} by default. */
    public HostBuilder agentVersion(String agentVersion) {
        this.agentVersion = agentVersion;
        return this;
    }

    public HostBuilder connectionListener(ConnectionListener listener) {
        listeners.add(listener);
        return this;
    }

    /** How lost peers are redialled; {@link RedialPolicy#DEFAULT} unless set. */
    public HostBuilder redialPolicy(RedialPolicy policy) {
        this.redialPolicy = policy;
        return this;
    }

    /** Netty I/O threads shared by all connections; 2 by default. */
    public HostBuilder ioThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one I/O thread");
        }
        this.ioThreads = threads;
        return this;
    }

    /**
     * Inbound TCP connections open at once, handshaking or upgraded; more are closed as soon as they
     * are accepted. {@value #DEFAULT_MAX_INBOUND_CONNECTIONS} by default.
     */
    public HostBuilder maxInboundConnections(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one inbound connection");
        }
        this.maxInboundConnections = max;
        return this;
    }

    /**
     * Streams a peer may hold open at once on one connection; a further stream it opens is reset (yamux RST)
     * and the connection stays up. {@value YamuxHandler#DEFAULT_MAX_INBOUND_STREAMS} by default, at most
     * {@value YamuxHandler#MAX_STREAMS}.
     */
    public HostBuilder maxInboundStreams(int max) {
        if (max < 1 || max > YamuxHandler.MAX_STREAMS) {
            throw new IllegalArgumentException("inbound streams per connection must be 1.." + YamuxHandler.MAX_STREAMS);
        }
        this.maxInboundStreams = max;
        return this;
    }

    /**
     * How long a QUIC connection may go without a packet before it is closed (QUIC's max_idle_timeout; the
     * lower of both sides' counts). QUIC sends no keep-alive by itself: keep connections that must stay open
     * busy, e.g. with a ping, more often than this. 30 s by default.
     */
    public HostBuilder quicIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the QUIC idle timeout must be positive");
        }
        this.quicIdleTimeout = timeout;
        return this;
    }

    /**
     * The peers whose inbound connections this host keeps (default: every peer). An inbound connection from any
     * other peer is a guest: it may stay for {@link #guestGracePeriod} (time for identify and ping), and at most
     * {@link #maxGuestConnections} guests are held at once, so guests never fill the inbound slots. Asked on
     * the event loop when a connection is authenticated and when its grace period ends, so it must be a quick
     * in-memory lookup. Connections this host dials are never guests.
     */
    public HostBuilder trustedPeers(Predicate<PeerId> trusted) {
        this.trustedPeers = Objects.requireNonNull(trusted);
        return this;
    }

    /**
     * Guest connections (see {@link #trustedPeers}) held at once; a guest past it is closed as soon as its peer is
     * known. {@value #DEFAULT_MAX_GUEST_CONNECTIONS} by default; 0 closes every guest at once.
     */
    public HostBuilder maxGuestConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max guest connections must not be negative");
        }
        this.maxGuestConnections = max;
        return this;
    }

    /**
     * How long a guest connection (see {@link #trustedPeers}) stays open; then it is closed unless its peer has
     * become trusted meanwhile. 10 s by default.
     */
    public HostBuilder guestGracePeriod(Duration grace) {
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("the guest grace period must be positive");
        }
        this.guestGracePeriod = grace;
        return this;
    }

    /**
     * Binds the listen addresses and returns the running host.
     *
     * @throws java.io.UncheckedIOException if an address cannot be bound; nothing is left running then
     */
    public Host start() {
        if (privateKey == null) {
            privateKey = PrivateKey.generate();
        }
        return Host.start(this);
    }
}
