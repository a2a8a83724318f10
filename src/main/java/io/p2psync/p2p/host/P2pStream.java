package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.quic.QuicStreamEnds;

/**
 * One negotiated libp2p stream: a multiplexed child channel on a secured connection, after
 * multistream-select agreed on {@code protocolId}. Writing to {@code channel} writes to the stream;
 * {@link #halfClose(Channel)} half-closes it.
 *
 * @param channel the stream's own Netty channel; the protocol installs its codecs on its pipeline
 * @param remotePeer the authenticated peer at the other end
 * @param protocolId the agreed protocol, e.g. {@code /ipfs/ping/1.0.0}
 * @param initiator true if this side opened the stream
 */
public record P2pStream(Channel channel, PeerId remotePeer, String protocolId, boolean initiator) {

    /**
     * Ends this side's writing on a stream channel after what was written before, so the peer reads it all
     * and then its end of input: yamux FIN, or a QUIC STREAM frame with FIN. Use this, not
     * {@code DuplexChannel.shutdownOutput()}, which on a QUIC stream shuts its sending half at once (quiche's
     * {@code stream_shutdown}), ahead of writes still waiting for flow-control credit, which then fail.
     *
     * @return completes when the end is handed to the transport
     */
    public static ChannelFuture halfClose(Channel stream) {
        if (stream instanceof QuicStreamChannel quic) {
            return QuicStreamEnds.halfClose(quic);
        }
        if (stream instanceof DuplexChannel duplex) {
            return duplex.shutdownOutput();
        }
        return stream.close();
    }

    /** {@link #halfClose(Channel)} of this stream. */
    public ChannelFuture halfClose() {
        return halfClose(channel);
    }
}
