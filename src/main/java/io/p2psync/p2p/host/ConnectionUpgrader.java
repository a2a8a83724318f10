package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.multistream.Multistream;
import io.p2psync.p2p.noise.Noise;
import io.p2psync.p2p.yamux.YamuxHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Turns a raw TCP channel into a {@link Connection}: multistream-select {@code /noise}, the Noise
 * handshake, multistream-select {@code /yamux/1.0.0} over the secured channel, then the yamux session
 * (libp2p/specs connections/README.md, "Upgrading Connections"). Each step replaces the previous one's
 * handlers; any failure has already closed the channel with a logged reason when the future fails.
 */
final class ConnectionUpgrader {

    private final PrivateKey identity;
    private final Consumer<Channel> inboundStreams;
    private final int maxInboundStreams;

    /**
     * @param inboundStreams given every stream the peer opens, before it is registered
     * @param maxInboundStreams streams the peer may hold open at once on one connection
     */
    ConnectionUpgrader(PrivateKey identity, Consumer<Channel> inboundStreams, int maxInboundStreams) {
        this.identity = identity;
        this.inboundStreams = inboundStreams;
        this.maxInboundStreams = maxInboundStreams;
    }

    /**
     * Installs the upgrade on {@code channel}, before it is active or on its event loop.
     *
     * @param outbound true if this side dialled: it initiates every negotiation and the handshake
     * @param expectedPeer the peer dialled, when known; Noise refuses any other
     */
    CompletableFuture<Connection> upgrade(Channel channel, boolean outbound, Optional<PeerId> expectedPeer) {
        // the TCP peer's address is read once connected, not now (a dialled channel is not connected yet)
        return upgrade(channel, outbound, expectedPeer, Connection.Transport.TCP, null);
    }

    /**
     * Like {@link #upgrade(Channel, boolean, Optional)} on any byte channel, such as a relay circuit (a stream of
     * another connection), booked with {@code transport} and {@code remoteAddress} (null: the channel's own, read once
     * it is connected).
     */
    CompletableFuture<Connection> upgrade(Channel channel, boolean outbound, Optional<PeerId> expectedPeer,
            Connection.Transport transport, Multiaddr remoteAddress) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        ChannelPipeline pipeline = channel.pipeline();
        Consumer<String> secure = noise -> Noise.secure(pipeline, outbound, identity, expectedPeer,
                        peer -> negotiate(pipeline, outbound, YamuxHandler.PROTOCOL_ID,
                                mux -> multiplex(channel, peer, outbound, transport, remoteAddress, result))
                                .whenComplete((p, e) -> failOn(e, result)))
                .whenComplete((p, e) -> failOn(e, result));
        negotiate(pipeline, outbound, Noise.PROTOCOL_ID, secure).whenComplete((p, e) -> failOn(e, result));
        return result;
    }

    private static CompletableFuture<String> negotiate(ChannelPipeline pipeline, boolean outbound, String protocol,
            Consumer<String> onAgreed) {
        return outbound
                ? Multistream.initiate(pipeline, List.of(protocol), onAgreed)
                : Multistream.respond(pipeline, protocol::equals, onAgreed);
    }

    private void multiplex(Channel channel, PeerId peer, boolean outbound, Connection.Transport transport,
            Multiaddr remoteAddress, CompletableFuture<Connection> result) {
        YamuxHandler muxer = new YamuxHandler(outbound, inboundStreams, YamuxHandler.INITIAL_WINDOW, maxInboundStreams);
        Multiaddr remote = remoteAddress != null ? remoteAddress
                : Multiaddr.fromSocketAddress((InetSocketAddress) channel.remoteAddress());
        Connection connection = new Connection(channel, peer, outbound, transport, remote, new Connection.Muxer() {
                    @Override
                    public Future<Channel> openStream() {
                        return muxer.openStream();
                    }

                    @Override
                    public void close() {
                        muxer.goAway().addListener(f -> channel.close());
                    }

                    @Override
                    public boolean stopNewStreams() {
                        muxer.goAway();
                        return true;
                    }

                    @Override
                    public int openStreams() {
                        return muxer.streamCount();
                    }

                    @Override
                    public boolean acceptsNewStreams() {
                        return muxer.acceptsNewStreams();
                    }
                });
        channel.attr(Connection.KEY).set(connection);
        channel.pipeline().addLast("yamux", muxer);
        result.complete(connection);
    }

    private static void failOn(Throwable error, CompletableFuture<Connection> result) {
        if (error != null) {
            result.completeExceptionally(error);
        }
    }
}
