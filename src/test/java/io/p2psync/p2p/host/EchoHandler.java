package io.p2psync.p2p.host;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;

/** A test protocol: the responder writes back every byte it reads; the initiator side is left to the test. */
final class EchoHandler implements ProtocolHandler {

    static final String PROTOCOL_ID = "/test/echo/1.0.0";

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        if (stream.initiator()) {
            return;
        }
        stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }
        });
    }
}
