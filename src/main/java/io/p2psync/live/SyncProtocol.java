package io.p2psync.live;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.devices.AuthFailure;
import io.p2psync.devices.RequestBodyBudget;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.sync.CappedInputStream;
import io.p2psync.sync.Gzip;
import io.p2psync.sync.PeerBusyException;
import io.p2psync.sync.PeerException;
import io.p2psync.sync.TryAgain;
import io.p2psync.sync.PullRequest;
import io.p2psync.sync.PullResponse;
import io.p2psync.sync.PushRequest;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.SyncChannel;
import io.p2psync.sync.SyncRefusal;
import io.p2psync.sync.SyncService;
import io.p2psync.sync.SyncSettings;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /p2p-sync/sync/1.0.0}: the sync protocol's pull and push on a libp2p stream, for devices that reach
 * each other over libp2p but not over REST (a LAN without REST reachability, QUIC only). One request per
 * stream: the initiator sends one message and half-closes; the responder answers one message and half-closes.
 * A message is an unsigned varint length, one byte saying how the rest is encoded (0 JSON, 1 gzip of JSON,
 * used from {@link SyncSettings#compressAbove()} up), and the JSON: a request {@code {"pull": …}} or
 * {@code {"push": …}} with the REST bodies, an answer {@code {"pull": …}}, {@code {"push": …}} or
 * {@code {"problem": {status, type, title, detail}}} (RFC 9457 fields, the types REST uses).
 *
 * <p>The caller is the connection's authenticated peer id, which stands for REST's request signature: it must
 * be an authorized device, or the answer is a 403 problem. Entries are checked as on every path
 * ({@link SyncService}). Requests are limited as REST's ({@link SyncSettings#maxBodySize()}, as sent and
 * decompressed), answers as the REST client's ({@link SyncSettings#maxAnswerSize()}).
 */
final class SyncProtocol implements ProtocolHandler {

    static final String PROTOCOL_ID = "/p2p-sync/sync/1.0.0";
    private static final byte JSON_BODY = 0;
    private static final byte GZIP_BODY = 1;
    /** Where the initiator's pipeline leaves the answer. */
    private static final AttributeKey<CompletableFuture<ByteBuf>> ANSWER = AttributeKey.valueOf(SyncProtocol.class, "answer");
    private static final Logger log = LoggerFactory.getLogger(SyncProtocol.class);
    /** How long an answered stream may stay open for the caller to read the answer and end its side. */
    static final java.time.Duration ANSWER_LINGER = java.time.Duration.ofSeconds(30);

    /** A request: exactly one of the two. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(PullRequestBody pull, PushRequestBody push) {
    }

    /** An answer: exactly one of the three. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Answer(PullResponseBody pull, PushResponse push, Problem problem) {
    }

    /** An RFC 9457 problem, as REST sends it; {@code type} is the full URI. */
    record Problem(int status, String type, String title, String detail) {
        static Problem of(SyncRefusal refusal) {
            return new Problem(refusal.status(), AuthFailure.PROBLEM_BASE + refusal.type(),
                    refusal.title(), refusal.detail());
        }
    }

    private final SyncService service;
    private final Predicate<PeerId> authorized;
    private final SyncSettings settings;
    private final JsonMapper json;
    private final ExecutorService workers;
    private final RequestBodyBudget budget;

    /**
     * @param authorized whether a peer is an authorized device
     * @param workers where requests are served (they read and write the database), off the network threads
     * @param budget the request bytes all sync requests may hold at once, shared with REST
     */
    SyncProtocol(SyncService service, Predicate<PeerId> authorized, SyncSettings settings, JsonMapper json,
                 ExecutorService workers, RequestBodyBudget budget) {
        this.service = service;
        this.authorized = authorized;
        this.settings = settings;
        this.json = json;
        this.workers = workers;
        this.budget = budget;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        Channel channel = stream.channel();
        if (stream.initiator()) {
            CompletableFuture<ByteBuf> answer = new CompletableFuture<>();
            channel.attr(ANSWER).set(answer);
            channel.pipeline().addLast(new SyncFrameDecoder(settings.maxAnswerSize().toBytes() + 1),
                    new AnswerReader(answer));
        } else if (!authorized.test(stream.remotePeer())) {
            // nothing of its request is read: a peer that is not a device of this one holds no memory here
            log.info("libp2p sync: refused a request from {}: not an authorized device", stream.remotePeer());
            channel.pipeline().addLast(new Discard());
            answer(channel, new Answer(null, null, Problem.of(new SyncRefusal(403, SyncRefusal.NOT_AUTHORIZED,
                    "Device not authorized", stream.remotePeer() + " is not an authorized device of this one"))));
        } else {
            Inbound inbound = new Inbound(stream.remotePeer(), channel);
            channel.pipeline().addLast(new SyncFrameDecoder(settings.maxBodySize().toBytes() + 1, inbound::admit),
                    inbound);
        }
    }

    // ---- the calling side

    /** The sync protocol with {@code peer} over {@code host}'s open connection to it. */
    SyncChannel channel(Host host, PeerId peer) {
        return new SyncChannel() {
            @Override
            public PullResponse pull(PullRequest request) {
                PullResponseBody body = call(host, peer, new Request(PullRequestBody.of(request.vector(), request.limit()), null)).pull();
                if (body == null) {
                    throw new PeerException(peer + " answered a pull without a page", 200, null);
                }
                try {
                    return new PullResponse(body.domainEntries(), body.server(), body.more(), body.domainTooLarge(),
                            body.domainHeads(), body.domainFormerColumns());
                } catch (IllegalArgumentException e) {
                    throw new PeerException(peer + " answered a malformed page: " + e.getMessage(), 200, e);
                }
            }

            @Override
            public PushResponse push(PushRequest request) {
                PushResponse answer = call(host, peer, new Request(null, PushRequestBody.of(request.entries()))).push();
                if (answer == null) {
                    throw new PeerException(peer + " answered a push without its outcome", 200, null);
                }
                return answer;
            }

            @Override
            public String via() {
                return "libp2p";
            }
        };
    }

    private Answer call(Host host, PeerId peer, Request request) {
        CompletableFuture<P2pStream> opening = host.newStream(peer, this);
        P2pStream stream;
        try {
            stream = opening.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            opening.thenAccept(late -> late.channel().close()); // a stream that opens after all is not left open
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PeerException("cannot open a sync stream to " + peer + " over libp2p: " + cause, 0, cause);
        } catch (InterruptedException e) {
            opening.thenAccept(late -> late.channel().close());
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted while opening a sync stream to " + peer, 0, e);
        }
        Channel channel = stream.channel();
        CompletableFuture<ByteBuf> answered = channel.attr(ANSWER).get();
        ByteBuf frame = null;
        try {
            channel.writeAndFlush(Unpooled.wrappedBuffer(encode(request)));
            P2pStream.halfClose(channel);
            frame = answered.get(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Answer answer = decode(frame, Answer.class, settings.maxAnswerSize().toBytes());
            if (answer.problem() != null) {
                Problem p = answer.problem();
                if (PeerBusyException.isForNow(p.status(), p.type())) {
                    throw new PeerBusyException(peer + " asks to try again later over libp2p: " + p.status() + " "
                            + p.title() + ": " + p.detail(), TryAgain.RETRY_AFTER);
                }
                throw new PeerException(peer + " refused the request over libp2p: " + p.status() + " " + p.title()
                        + ": " + p.detail(), p.status(), null);
            }
            return answer;
        } catch (TimeoutException e) {
            throw new PeerException(peer + " sent no answer over libp2p within " + settings.readTimeout(), 0, e);
        } catch (ExecutionException e) {
            throw new PeerException("reading the answer of " + peer + " over libp2p failed: " + e.getCause(), 0, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted while waiting for " + peer, 0, e);
        } catch (IOException | JacksonException e) {
            throw new PeerException(peer + " answered a malformed message over libp2p: " + e.getMessage(), 200, e);
        } finally {
            if (frame != null) {
                frame.release();
            } else if (!answered.cancel(false)) {
                answered.thenAccept(ReferenceCountUtil::release); // an answer that came as this call gave up
            }
            channel.close();
        }
    }

    /** Completes with the one answer message, or fails if the stream ends or breaks first. */
    private static final class AnswerReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<ByteBuf> answer;

        AnswerReader(CompletableFuture<ByteBuf> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!answer.complete((ByteBuf) msg)) {
                ReferenceCountUtil.release(msg); // a second message: the protocol has one answer
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

    // ---- the answering side

    /** Drops what a refused peer sends. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Takes the one request of an inbound stream and hands it to a worker. Its length is reserved in the
     * {@link RequestBodyBudget} before it is buffered (a request that does not fit is answered 503) and given
     * back when the request has been served, or when the stream ends before it came.
     */
    private final class Inbound extends ChannelInboundHandlerAdapter {
        private final PeerId caller;
        private final ScheduledFuture<?> timeout;
        /** Set once a request (or what broke it) came; what follows is ignored. Event loop only. */
        private boolean seen;
        /** Whether a worker holds the request (and will give its bytes back). Event loop only. */
        private boolean handedOver;
        private long reserved;
        private final AtomicBoolean givenBack = new AtomicBoolean();

        Inbound(PeerId caller, Channel channel) {
            this.caller = caller;
            this.timeout = channel.eventLoop().schedule(() -> {
                if (!seen) {
                    log.info("libp2p sync: {} sent no request within {}; stream closed", caller, settings.readTimeout());
                    channel.close();
                }
            }, settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean admit(long length) {
            if (!budget.tryReserve(length)) {
                return false;
            }
            reserved = length;
            return true;
        }

        private void giveBack() {
            if (reserved > 0 && givenBack.compareAndSet(false, true)) {
                budget.release(reserved);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (seen) {
                frame.release(); // one request per stream
                return;
            }
            seen = true;
            timeout.cancel(false);
            Channel channel = ctx.channel();
            try {
                workers.execute(() -> {
                    try {
                        answer(channel, serve(caller, frame));
                    } finally {
                        frame.release();
                        giveBack();
                    }
                });
                handedOver = true;
            } catch (RejectedExecutionException e) {
                frame.release();
                giveBack();
                answer(channel, new Answer(null, null, workers.isShutdown()
                        ? new Problem(503, AuthFailure.PROBLEM_BASE + "shutting-down", "Shutting down", "this node is stopping")
                        : new Problem(503, AuthFailure.PROBLEM_BASE + "busy", "Busy",
                                "this node serves as many sync requests as it can; try again")));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            timeout.cancel(false);
            if (seen) {
                ctx.close(); // a request is being served or was answered: nothing more to say
                return;
            }
            seen = true;
            Problem problem;
            if (cause instanceof TooLongFrameException) {
                problem = Problem.of(new SyncRefusal(413, SyncRefusal.BODY_TOO_LARGE, "Request body too large",
                        cause.getMessage() + " (p2psync.sync.max-body-size)"));
            } else if (cause instanceof SyncFrameDecoder.NotAdmittedException) {
                problem = new Problem(503, AuthFailure.PROBLEM_BASE + "busy", "Busy",
                        "this node holds as many request bytes as it allows (p2psync.devices.body-budget); try again");
            } else if (cause instanceof DecoderException) {
                problem = Problem.of(SyncRefusal.malformed("the stream does not carry a request: " + cause.getMessage()));
            } else {
                log.debug("libp2p sync: the stream from {} broke: {}", caller, cause.toString());
                ctx.close();
                return;
            }
            log.info("libp2p sync: refused a request from {}: {}", caller, problem.detail());
            answer(ctx.channel(), new Answer(null, null, problem));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            timeout.cancel(false);
            if (!handedOver) {
                giveBack(); // the request never came whole; the decoder's buffer goes with the stream
            }
            ctx.fireChannelInactive();
        }
    }

    private Answer serve(PeerId caller, ByteBuf frame) {
        try {
            if (!authorized.test(caller)) { // revoked while its request was on the way
                throw new SyncRefusal(403, SyncRefusal.NOT_AUTHORIZED, "Device not authorized",
                        caller + " is not an authorized device of this one");
            }
            Request request = decodeRequest(frame);
            if (request.pull() != null) {
                return new Answer(service.pull(request.pull(), caller), null, null);
            }
            return new Answer(null, service.push(request.push(), caller), null);
        } catch (SyncRefusal refusal) {
            log.info("libp2p sync: refused a request from {}: {}", caller, refusal.detail());
            return new Answer(null, null, Problem.of(refusal));
        } catch (RuntimeException e) {
            java.util.Optional<String> notNow = TryAgain.why(e);
            if (notNow.isPresent()) {
                log.warn("libp2p sync: refused a request from {} for now, the caller asks again: {}", caller,
                        notNow.get());
                return new Answer(null, null, new Problem(503, AuthFailure.PROBLEM_BASE + TryAgain.TYPE,
                        TryAgain.TITLE, TryAgain.detail(notNow.get())));
            }
            log.warn("libp2p sync: serving a request from {} failed", caller, e);
            return new Answer(null, null, new Problem(500, AuthFailure.PROBLEM_BASE + "internal-error",
                    "Internal error", "the request could not be served: " + e.getClass().getSimpleName()));
        }
    }

    private Request decodeRequest(ByteBuf frame) {
        long cap = settings.maxBodySize().toBytes();
        Request request;
        try {
            request = decode(frame, Request.class, cap);
        } catch (CappedInputStream.AnswerTooLargeException e) {
            throw new SyncRefusal(413, SyncRefusal.BODY_TOO_LARGE, "Request body too large",
                    "the request is larger than " + cap + " bytes once decompressed (p2psync.sync.max-body-size)");
        } catch (IOException | JacksonException e) {
            if (rootCause(e) instanceof CappedInputStream.AnswerTooLargeException) {
                throw new SyncRefusal(413, SyncRefusal.BODY_TOO_LARGE, "Request body too large",
                        "the request is larger than " + cap + " bytes once decompressed (p2psync.sync.max-body-size)");
            }
            throw SyncRefusal.malformed("the request is not valid: " + firstLine(e.getMessage()));
        }
        if ((request.pull() == null) == (request.push() == null)) {
            throw SyncRefusal.malformed("a request carries exactly one of \"pull\" and \"push\"");
        }
        return request;
    }

    private void answer(Channel channel, Answer answer) {
        if (!channel.isActive()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = encode(answer);
        } catch (RuntimeException e) {
            log.warn("libp2p sync: cannot encode an answer", e);
            channel.close();
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(f -> {
            P2pStream.halfClose(channel);
            // the caller ends its side once it has read the answer; one that never does loses the stream then
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, ANSWER_LINGER.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    // ---- messages

    /** The whole message: length, encoding byte, JSON (gzipped when large). */
    private byte[] encode(Object message) {
        byte[] body = json.writeValueAsBytes(message);
        byte encoding = JSON_BODY;
        if (body.length >= settings.compressAbove().toBytes()) {
            body = Gzip.gzip(body);
            encoding = GZIP_BODY;
        }
        byte[] length = UnsignedVarint.encode(body.length + 1L);
        byte[] out = new byte[length.length + 1 + body.length];
        System.arraycopy(length, 0, out, 0, length.length);
        out[length.length] = encoding;
        System.arraycopy(body, 0, out, length.length + 1, body.length);
        return out;
    }

    /** @throws IOException if the message is not one, or is larger than {@code cap} once decompressed */
    private <T> T decode(ByteBuf frame, Class<T> type, long cap) throws IOException {
        if (!frame.isReadable()) {
            throw new IOException("an empty message");
        }
        byte encoding = frame.readByte();
        InputStream in = new ByteBufInputStream(frame);
        if (encoding == GZIP_BODY) {
            in = new GZIPInputStream(in, 64 * 1024);
        } else if (encoding != JSON_BODY) {
            throw new IOException("unknown encoding " + encoding);
        }
        try (InputStream capped = new CappedInputStream(in, cap)) {
            return json.readValue(capped, type);
        }
    }

    private static Throwable rootCause(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
