package io.p2psync.p2p.host;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.quic.QuicPeers;
import io.p2psync.p2p.quic.QuicStreamEnds;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.util.Optional;

/**
 * Turns a QUIC connection whose handshake is done into a {@link Connection}: the peer id comes from the
 * certificate's libp2p extension and must be the one dialled; QUIC's bidirectional streams are the
 * connection's streams, with no Noise and no yamux (libp2p/specs quic/README.md).
 */
final class QuicConnections {

    private QuicConnections() {
    }

    /**
     * @param expectedPeer the peer dialled, when known
     * @throws CertificateException if the peer's certificate names no valid libp2p key, or another peer than
     *     {@code expectedPeer}; the caller closes the connection
     */
    static Connection of(QuicChannel channel, boolean outbound, Optional<PeerId> expectedPeer)
            throws CertificateException {
        PeerId peer = QuicPeers.remotePeer(channel);
        if (expectedPeer.isPresent() && !expectedPeer.get().equals(peer)) {
            throw new CertificateException("peer id " + peer + " is not the dialled " + expectedPeer.get());
        }
        Multiaddr remote = Multiaddr.quicFromSocketAddress((InetSocketAddress) channel.remoteSocketAddress());
        Connection connection = new Connection(channel, peer, outbound, Connection.Transport.QUIC, remote,
                new QuicMuxer(channel));
        channel.attr(Connection.KEY).set(connection);
        return connection;
    }

    /** A stream could not be opened because the peer's stream limit is reached; it may be later. */
    static final class StreamLimitException extends IllegalStateException {
        StreamLimitException(String message) {
            super(message);
        }
    }

    private record QuicMuxer(QuicChannel channel) implements Connection.Muxer {
        @Override
        public Future<QuicStreamChannel> openStream() {
            // Asked first, because Netty's createStream uses up a stream id even when quiche refuses it for the
            // peer's stream limit, and every id after that one would then be refused for good.
            if (channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0) {
                return channel.eventLoop().newFailedFuture(new StreamLimitException(
                        "the peer allows no further stream on this connection now"));
            }
            return channel.newStreamBootstrap()
                    .type(QuicStreamType.BIDIRECTIONAL)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(QuicStreamEnds.INSTANCE)
                    .create();
        }

        @Override
        public void close() {
            channel.close(true, 0, Unpooled.EMPTY_BUFFER);
        }
    }
}
