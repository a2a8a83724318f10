package io.p2psync.p2p.pubsub;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.util.List;

/**
 * Gossipsub as a libp2p protocol: wires the pipeline of every {@code /meshsub/1.1.0} or {@code /meshsub/1.0.0}
 * stream. Each RPC is a frame of an unsigned-varint length followed by that many bytes of protobuf; a frame
 * over {@link GossipParams#maxRpcBytes()} or one that does not parse closes the stream with a logged reason.
 *
 * <p>Inbound streams carry the peer's RPCs to the router; the outbound stream the router opened through its
 * {@link StreamOpener} gets the same pipeline and is written by the router.
 */
public final class GossipsubProtocol implements ProtocolHandler {

    public static final String MESHSUB_V11 = "/meshsub/1.1.0";
    public static final String MESHSUB_V10 = "/meshsub/1.0.0";
    /** Most preferred first, as the router offers them when it opens a stream. */
    public static final List<String> PROTOCOL_IDS = List.of(MESHSUB_V11, MESHSUB_V10);

    private final GossipRouter router;
    private final int maxRpcBytes;

    public GossipsubProtocol(GossipRouter router) {
        this.router = router;
        this.maxRpcBytes = router.params().maxRpcBytes();
    }

    @Override
    public List<String> protocolIds() {
        return PROTOCOL_IDS;
    }

    @Override
    public void initStream(P2pStream stream) {
        ChannelPipeline p = stream.channel().pipeline();
        p.addLast("pubsub-frame-decoder", new ProtobufVarint32FrameDecoder(maxRpcBytes));
        p.addLast("pubsub-frame-prepender", new ProtobufVarint32LengthFieldPrepender());
        p.addLast("pubsub-rpc-codec", new RpcCodec(maxRpcBytes));
        p.addLast("pubsub-rpc-handler", new RpcStreamHandler(router, stream.remotePeer()));
    }

    /**
     * Tells the router of the host's peers as they come and go; give it to the host with
     * {@code HostBuilder.connectionListener} when nothing else needs to hear of connections.
     */
    public ConnectionListener connectionListener() {
        return new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                router.peerConnected(connection.remotePeer());
            }

            @Override
            public void disconnected(Connection connection) {
                router.peerDisconnected(connection.remotePeer());
            }
        };
    }
}
