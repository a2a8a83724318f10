package io.p2psync.p2p.kad;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * The asking side of a DHT stream: each answer completes the oldest request still waiting for one. The stream
 * ending, or a malformed answer, fails every waiting request; a malformed answer also resets the stream.
 */
final class KadRequester extends ChannelInboundHandlerAdapter {

    private final Queue<CompletableFuture<KadMessage>> waiting = new ArrayDeque<>();

    /** Registers a request written next; call on the stream's event loop. */
    void expect(CompletableFuture<KadMessage> answer) {
        waiting.add(answer);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof KadMessage answer)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        CompletableFuture<KadMessage> next = waiting.poll();
        if (next == null) {
            failAll(new KadException("DHT answer that no request asked for"));
            ctx.close();
            return;
        }
        next.complete(answer);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        failAll(new KadException("DHT stream ended before the answer"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause.getCause() instanceof KadException k ? k : cause;
        failAll(reason instanceof KadException k ? k : new KadException("bad DHT answer: " + reason.getMessage(), reason));
        ctx.close();
    }

    private void failAll(KadException cause) {
        CompletableFuture<KadMessage> f;
        while ((f = waiting.poll()) != null) {
            f.completeExceptionally(cause);
        }
    }
}
