package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.time.Instant;

/**
 * One secured, multiplexed connection to an authenticated peer: TCP with Noise and yamux, or QUIC, whose
 * TLS handshake authenticates the peer and whose own streams are the libp2p streams.
 */
public final class Connection {

    static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    /** How a connection reaches its peer. */
    public enum Transport {
        TCP, QUIC;

        /** The lower-case name used in status output: {@code tcp}, {@code quic}. */
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
    }

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
     * {@code /ip4/…/tcp/…} or {@code /ip4/…/udp/…/quic-v1}.
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

    /** The TCP channel or the QUIC connection's channel; streams are its children. */
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

    @Override
    public String toString() {
        return "Connection[" + (outbound ? "to " : "from ") + remotePeer + " at " + remoteAddress + "]";
    }
}
