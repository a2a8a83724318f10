package io.p2psync.messaging;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /p2p-sync/msg/1.0.0}: direct messages between devices on libp2p streams. One request per stream: the
 * initiator sends one frame and half-closes, the responder answers one frame and half-closes. A frame is a
 * 4-byte big-endian length and that many bytes of JSON ({@link Frame}). A length above
 * {@link MessagingSettings#maxFrameSize()} is refused before it is buffered.
 *
 * <p>The responder hands the request, with the connection's authenticated peer id, to the intake on a worker
 * (it reads and writes the database) and answers what the intake answers. A request that cannot be read is
 * answered {@code REFUSED} (400, or 413 when too long); a full worker queue, {@code REFUSED} 503.
 */
final class MessageProtocol implements ProtocolHandler {

    static final String PROTOCOL_ID = "/p2p-sync/msg/1.0.0";
    private static final Logger log = LoggerFactory.getLogger(MessageProtocol.class);
    private static final AttributeKey<CompletableFuture<Frame>> ANSWER = AttributeKey.valueOf(MessageProtocol.class, "answer");
    /** How long an answered stream stays open for the caller to read the answer. */
    static final Duration ANSWER_LINGER = Duration.ofSeconds(30);

    private final JsonMapper json;
    private final MessagingSettings settings;
    private final ExecutorService workers;
    /** Serves one request from an authenticated peer; answers the frame to send back. Set once at wiring. */
    private volatile BiFunction<PeerId, Frame, Frame> intake = (peer, frame) ->
            Frame.refused(503, "starting", "this node is starting");

    MessageProtocol(JsonMapper json, MessagingSettings settings, ExecutorService workers) {
        this.json = json;
        this.settings = settings;
        this.workers = workers;
    }

    void serveWith(BiFunction<PeerId, Frame, Frame> intake) {
        this.intake = intake;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        Channel channel = stream.channel();
        int max = (int) settings.maxFrameSize().toBytes();
        channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4, true));
        if (stream.initiator()) {
            CompletableFuture<Frame> answer = new CompletableFuture<>();
            channel.attr(ANSWER).set(answer);
            channel.pipeline().addLast(new AnswerReader(answer));
        } else {
            Inbound inbound = new Inbound(stream.remotePeer());
            channel.pipeline().addLast(inbound);
            // a peer that opens a stream and sends nothing does not hold it
            channel.eventLoop().schedule(() -> {
                if (!inbound.seen) {
                    log.info("messaging: {} sent no request within {}; stream closed", stream.remotePeer(),
                            settings.answerTimeout());
                    channel.close();
                }
            }, settings.answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends {@code request} to {@code peer} over the host's open connection and answers its answer frame.
     * Fails with the cause when no stream opens, the stream breaks, or no answer comes within {@code timeout}.
     */
    CompletableFuture<Frame> call(Host host, PeerId peer, Frame request, Duration timeout) {
        byte[] bytes;
        try {
            bytes = encode(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return callRaw(host, peer, bytes, timeout);
    }

    /** Like {@link #call} with the request's bytes as they are (length prefix included). */
    CompletableFuture<Frame> callRaw(Host host, PeerId peer, byte[] bytes, Duration timeout) {
        CompletableFuture<P2pStream> opening = host.newStream(peer, this);
        CompletableFuture<P2pStream> inTime = opening.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        inTime.whenComplete((stream, late) -> {
            if (late != null) {
                opening.thenAccept(s -> s.channel().close()); // opened after we gave up: nothing will use it
            }
        });
        return inTime.thenCompose(stream -> {
            Channel channel = stream.channel();
            CompletableFuture<Frame> answer = channel.attr(ANSWER).get();
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
            P2pStream.halfClose(channel);
            return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((a, e) -> channel.close());
        });
    }

    /** Length and JSON. */
    byte[] encode(Frame frame) {
        byte[] body = json.writeValueAsBytes(frame);
        byte[] out = new byte[4 + body.length];
        out[0] = (byte) (body.length >>> 24);
        out[1] = (byte) (body.length >>> 16);
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    /** @throws IOException if the bytes are not a frame this version knows */
    Frame decode(ByteBuf body) throws IOException {
        try {
            Frame frame = json.readValue((java.io.InputStream) new ByteBufInputStream(body), Frame.class);
            if (frame == null) {
                throw new IOException("an empty frame");
            }
            return frame.checked();
        } catch (JacksonException | IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            int nl = m.indexOf('\n');
            throw new IOException(nl < 0 ? m : m.substring(0, nl), e);
        }
    }

    private final class AnswerReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Frame> answer;

        AnswerReader(CompletableFuture<Frame> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (!answer.isDone()) {
                    answer.complete(decode(frame));
                }
            } catch (IOException e) {
                answer.completeExceptionally(e);
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new ClosedChannelException());
            ctx.fireChannelInactive();
        }
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        private final PeerId caller;
        /** Set once a request (or what broke it) came; what follows is dropped. Event loop only. */
        private boolean seen;

        Inbound(PeerId caller) {
            this.caller = caller;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf body = (ByteBuf) msg;
            if (seen) {
                ReferenceCountUtil.release(body);
                return;
            }
            seen = true;
            Frame request;
            try {
                request = decode(body);
            } catch (IOException e) {
                log.info("messaging: refused a malformed frame from {}: {}", caller, e.getMessage());
                answer(ctx.channel(), Frame.refused(400, "malformed", "not a frame of " + PROTOCOL_ID + ": " + e.getMessage()));
                return;
            } finally {
                body.release();
            }
            Channel channel = ctx.channel();
            try {
                workers.execute(() -> answer(channel, serve(request)));
            } catch (RejectedExecutionException e) {
                answer(channel, Frame.refused(503, "busy", "this node serves as many messaging requests as it can"));
            }
        }

        private Frame serve(Frame request) {
            try {
                return intake.apply(caller, request);
            } catch (RuntimeException e) {
                log.warn("messaging: serving a {} from {} failed", request.type(), caller, e);
                return Frame.refused(500, "internal-error", "the request could not be served: " + e.getClass().getSimpleName());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (seen) {
                ctx.close();
                return;
            }
            seen = true;
            if (cause instanceof TooLongFrameException) {
                log.info("messaging: refused a frame from {}: {}", caller, cause.getMessage());
                answer(ctx.channel(), Frame.refused(413, "too-large", cause.getMessage()
                        + " (p2psync.messaging.max-frame-size)"));
            } else {
                log.debug("messaging: the stream from {} broke: {}", caller, cause.toString());
                ctx.close();
            }
        }
    }

    private void answer(Channel channel, Frame frame) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(encode(frame))).addListener(f -> {
            P2pStream.halfClose(channel);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, ANSWER_LINGER.toMillis(), TimeUnit.MILLISECONDS);
        });
    }
}
