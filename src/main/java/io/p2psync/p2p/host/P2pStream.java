package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.p2psync.p2p.core.PeerId;

/**
 * One negotiated libp2p stream: a multiplexed child channel on a secured connection, after
 * multistream-select agreed on {@code protocolId}. Writing to {@code channel} writes to the stream;
 * closing its output half-closes the stream.
 *
 * @param channel the stream's own Netty channel; the protocol installs its codecs on its pipeline
 * @param remotePeer the authenticated peer at the other end
 * @param protocolId the agreed protocol, e.g. {@code /ipfs/ping/1.0.0}
 * @param initiator true if this side opened the stream
 */
public record P2pStream(Channel channel, PeerId remotePeer, String protocolId, boolean initiator) {
}
