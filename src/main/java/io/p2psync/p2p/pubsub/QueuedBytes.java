package io.p2psync.p2p.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes written to a pubsub stream that its transport has not taken yet: a frame counts from its write
 * until its write completes (a yamux stream moved it onto the connection, a QUIC stream handed it to QUIC).
 * {@link OutboundStreams} resets a stream that holds too much by this count. It cannot ask the channel: a QUIC
 * stream is not writable whenever the peer's flow-control credit or the congestion window is used up for a
 * moment, and keeps its waiting writes where {@code outboundBuffer()} does not show them. {@link OutboundStreams}
 * puts it at the head of each stream it opens, next to the transport; used on the stream's event loop only.
 */
final class QueuedBytes extends ChannelOutboundHandlerAdapter {

    static final String NAME = "pubsub-queued-bytes";

    private long queued;

    /** The bytes {@code channel} holds unsent, on its event loop; 0 for a channel without this handler. */
    static long of(Channel channel) {
        return channel.pipeline().get(NAME) instanceof QueuedBytes q ? q.queued : 0;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise);
            return;
        }
        long size = frame.readableBytes();
        queued += size;
        ChannelPromise tracked = promise.unvoid(); // a void promise tells no one when the write is done
        tracked.addListener(done -> queued -= size);
        ctx.write(msg, tracked);
    }
}
