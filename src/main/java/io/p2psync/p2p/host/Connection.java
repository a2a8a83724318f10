package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.yamux.YamuxHandler;
import java.net.InetSocketAddress;

/**
 * One secured, multiplexed connection to an authenticated peer.
 */
public final class Connection {

    static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    private final Channel channel;
    private final PeerId remotePeer;
    private final boolean outbound;
    private final YamuxHandler muxer;
    private final Multiaddr remoteAddress;

    Connection(Channel channel, PeerId remotePeer, boolean outbound, YamuxHandler muxer) {
        this.channel = channel;
        this.remotePeer = remotePeer;
        this.outbound = outbound;
        this.muxer = muxer;
        this.remoteAddress = Multiaddr.fromSocketAddress((InetSocketAddress) channel.remoteAddress());
    }

    /** The connection that carries {@code stream} (a yamux stream channel), or null if it is none. */
    static Connection of(Channel stream) {
        Channel parent = stream.parent();
        return parent == null ? null : parent.attr(KEY).get();
    }

    /** The authenticated peer at the other end. */
    public PeerId remotePeer() {
        return remotePeer;
    }

    /** The peer's TCP address as seen from here (what identify calls the observed address). */
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    /** True if this host dialled the connection. */
    public boolean outbound() {
        return outbound;
    }

    /** The TCP channel; streams are its children. */
    public Channel channel() {
        return channel;
    }

    YamuxHandler muxer() {
        return muxer;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Sends yamux go-away and closes the TCP connection. */
    public void close() {
        if (channel.isActive()) {
            muxer.goAway().addListener(f -> channel.close());
        } else {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "Connection[" + (outbound ? "to " : "from ") + remotePeer + " at " + remoteAddress + "]";
    }
}
