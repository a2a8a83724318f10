package io.p2psync.p2p.quic;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;

/**
 * Gives QUIC streams the half-close, close and reset behaviour of yamux streams, which the protocols are
 * written for. {@link #halfClose} sends FIN behind the data. {@code close()} of a stream whose sending half is
 * not ended is a reset (RESET_STREAM and STOP_SENDING): Netty would otherwise only send FIN, and the peer's
 * half of the stream, with the stream credit it holds, would stay open until the peer closed it too; after
 * this side's FIN, {@code close()} sends only STOP_SENDING, so nothing already sent is reset. A reset from
 * the peer closes the stream's channel, as a yamux RST does, instead of reaching the protocol as an
 * exception. Installed first on every QUIC stream's pipeline.
 */
@ChannelHandler.Sharable
public final class QuicStreamEnds extends ChannelDuplexHandler {

    public static final QuicStreamEnds INSTANCE = new QuicStreamEnds();
    /** Set once this side's FIN is written, so a later close does not reset what was ended cleanly. */
    private static final AttributeKey<Boolean> FIN_WRITTEN = AttributeKey.valueOf(QuicStreamEnds.class, "finWritten");
    /** The application error code of a stream reset; libp2p gives the codes no meaning. */
    static final int RESET_CODE = 0;

    private QuicStreamEnds() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof QuicStreamResetException) {
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /**
     * Ends this side's sending after what was written before: a STREAM frame with FIN. (Netty's
     * {@code shutdownOutput()} is quiche's {@code stream_shutdown}, which resets the sending half instead.)
     */
    public static ChannelFuture halfClose(QuicStreamChannel stream) {
        stream.attr(FIN_WRITTEN).set(Boolean.TRUE);
        return stream.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        boolean finWritten = stream.isOutputShutdown() || Boolean.TRUE.equals(stream.attr(FIN_WRITTEN).get());
        if (!stream.isActive() || (finWritten && stream.isInputShutdown())) {
            ctx.close(promise);
        } else if (finWritten) {
            // ended cleanly on this side: only ask the peer to stop sending (STOP_SENDING), never reset what
            // was sent, which the peer may not have read yet
            stream.shutdownInput(RESET_CODE).addListener(f -> ctx.close(promise));
        } else {
            stream.shutdown(RESET_CODE).addListener(f -> ctx.close(promise));
        }
    }
}
