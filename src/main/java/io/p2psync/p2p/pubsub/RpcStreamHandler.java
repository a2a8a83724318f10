package io.p2psync.p2p.pubsub;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.p2psync.p2p.core.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a pubsub stream: hands each decoded RPC to the router, and closes the stream with a
 * logged reason when a frame is too long or malformed (the router's state is untouched by a bad frame).
 */
final class RpcStreamHandler extends SimpleChannelInboundHandler<Rpc> {

    private static final Logger log = LoggerFactory.getLogger(RpcStreamHandler.class);

    private final GossipRouter router;
    private final PeerId remotePeer;

    RpcStreamHandler(GossipRouter router, PeerId remotePeer) {
        this.router = router;
        this.remotePeer = remotePeer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Rpc rpc) {
        router.handleRpc(remotePeer, rpc);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing pubsub stream from {}: {}", remotePeer, cause.toString());
        ctx.close();
    }
}
