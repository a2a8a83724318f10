package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One secured, multiplexed connection to an authenticated peer: TCP with Noise and yamux, or QUIC, whose
 * TLS handshake authenticates the peer and whose own streams are the libp2p streams.
 */
public final class Connection {

    static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    /**
     * How a connection reaches its peer: straight over TCP or QUIC, or {@code RELAYED} through a circuit relay (Noise
     * and yamux over a stream of the connection to the relay).
     */
    public enum Transport {
        TCP, QUIC, RELAYED;

        /** The lower-case name used in status output: {@code tcp}, {@code quic}, {@code relayed}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What carries a connection's streams: yamux on a secured TCP channel, or QUIC itself. */
    interface Muxer {
        /** Opens an outbound stream; call it on the connection's event loop. */
        Future<? extends Channel> openStream();

        /** Closes the connection gracefully: yamux go-away then TCP close, or a QUIC CONNECTION_CLOSE. */
        void close();

        /**
         * Tells the peer no new streams may be opened here (yamux go-away; open streams may finish); false if this
         * muxer cannot say so, and the connection is then closed at once by {@link Connection#closeWhenIdle}.
         */
        default boolean stopNewStreams() {
            return false;
        }

        /** The streams open now; read it on the connection's event loop. */
        default int openStreams() {
            return 0;
        }

        /** False once either side said no new streams may be opened (yamux go-away, sent or received). */
        default boolean acceptsNewStreams() {
            return true;
        }
    }

    /** How often {@link #closeWhenIdle} looks whether the last stream ended. */
    private static final long IDLE_POLL_MS = 100;

    private final Channel channel;
    private final PeerId remotePeer;
    private final boolean outbound;
    private final Transport transport;
    private final Muxer muxer;
    private final Multiaddr remoteAddress;
    private final Instant openedAt = Instant.now();

    Connection(Channel channel, PeerId remotePeer, boolean outbound, Transport transport, Multiaddr remoteAddress,
            Muxer muxer) {
        this.channel = channel;
        this.remotePeer = remotePeer;
        this.outbound = outbound;
        this.transport = transport;
        this.remoteAddress = remoteAddress;
        this.muxer = muxer;
    }

    /** The connection that carries {@code stream} (a yamux or QUIC stream channel), or null if it is none. */
    public static Connection of(Channel stream) {
        Channel parent = stream.parent();
        return parent == null ? null : parent.attr(KEY).get();
    }

    /** The authenticated peer at the other end. */
    public PeerId remotePeer() {
        return remotePeer;
    }

    /**
     * The peer's address as seen from here (what identify calls the observed address):
     * {@code /ip4/…/tcp/…} or {@code /ip4/…/udp/…/quic-v1}; for a relayed connection the relay's address and
     * {@code /p2p/<relay>/p2p-circuit}.
     */
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    /** True if this host dialled the connection. */
    public boolean outbound() {
        return outbound;
    }

    public Transport transport() {
        return transport;
    }

    /** When the connection was secured and multiplexed, ready for streams. */
    public Instant openedAt() {
        return openedAt;
    }

    /** True unless the connection goes through a relay. */
    public boolean direct() {
        return transport != Transport.RELAYED;
    }

    /**
     * The TCP channel, the QUIC connection's channel, or for a relayed connection the circuit (a stream of the
     * connection to the relay); streams are its children.
     */
    public Channel channel() {
        return channel;
    }

    Muxer muxer() {
        return muxer;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Closes the connection gracefully (yamux go-away first on TCP, CONNECTION_CLOSE on QUIC). */
    public void close() {
        if (channel.isActive()) {
            muxer.close();
        } else {
            channel.close();
        }
    }

    /** False once no new streams may be opened here: new streams to the peer then take another connection. */
    public boolean acceptsNewStreams() {
        return channel.isActive() && muxer.acceptsNewStreams();
    }

    /**
     * Closes the connection once the streams open on it have ended, or after {@code atMost}, or as soon as
     * {@code replaced} turns false, whichever is first: the peer is told at once that no new streams may be
     * opened here (yamux go-away), so what it starts next goes over the connection that replaces this one, while
     * what runs here (a sync round, a file chunk) finishes. Once that other connection is gone this one, which
     * can carry no new stream, is closed at once, so the peer counts as disconnected and is dialled again. A QUIC
     * connection is closed at once.
     */
    public void closeWhenIdle(Duration atMost, BooleanSupplier replaced) {
        if (!channel.isActive() || !muxer.stopNewStreams()) {
            close();
            return;
        }
        long deadline = System.nanoTime() + atMost.toNanos();
        channel.eventLoop().execute(() -> closeWhenIdle(deadline, replaced));
    }

    private void closeWhenIdle(long deadline, BooleanSupplier replaced) {
        if (!channel.isActive()) {
            return;
        }
        if (muxer.openStreams() == 0 || System.nanoTime() - deadline >= 0 || !replaced.getAsBoolean()) {
            close();
        } else {
            channel.eventLoop().schedule(() -> closeWhenIdle(deadline, replaced), IDLE_POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public String toString() {
        return "Connection[" + (outbound ? "to " : "from ") + remotePeer + " at " + remoteAddress + "]";
    }
}
