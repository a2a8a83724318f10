package io.p2psync.p2p.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;

/**
 * Gives QUIC streams the close and reset behaviour of yamux streams, which the protocols are written for.
 * {@code close()} of a stream that is not finished both ways is a reset (RESET_STREAM and STOP_SENDING):
 * Netty would otherwise only send FIN, and the peer's half of the stream, with the stream credit it holds,
 * would stay open until the peer closed it too. A reset from the peer closes the stream's channel, as a
 * yamux RST does, instead of reaching the protocol as an exception. Installed first on every QUIC stream's
 * pipeline.
 */
@ChannelHandler.Sharable
public final class ResetOnClose extends ChannelDuplexHandler {

    public static final ResetOnClose INSTANCE = new ResetOnClose();
    /** The application error code of a stream reset; libp2p gives the codes no meaning. */
    static final int RESET_CODE = 0;

    private ResetOnClose() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof QuicStreamResetException) {
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        if (stream.isActive() && !stream.isShutdown()) {
            stream.shutdown(RESET_CODE).addListener(f -> ctx.close(promise));
        } else {
            ctx.close(promise);
        }
    }
}
