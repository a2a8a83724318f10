package io.p2psync.p2p.yamux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A yamux session on one secured connection (libp2p/specs {@code yamux/README.md}): owns the streams,
 * answers pings, sends and honours go-away, and closes the connection on any protocol error.
 *
 * <p>Add it to the connection's pipeline after the security handler; it installs its
 * {@link YamuxFrameCodec} in front of itself. Each stream is a {@link YamuxStreamChannel}. Every inbound
 * stream is passed to the {@code inboundStreamInitializer} before it is registered, so handlers added
 * there see the first byte; {@link #openStream()} opens an outbound one.
 *
 * <p>Limits: at most {@link #MAX_STREAMS} open streams per session, of which at most
 * {@code maxInboundStreams} ({@link #DEFAULT_MAX_INBOUND_STREAMS} unless given) opened by the peer; further
 * inbound SYNs are answered with RST (yamux spec, "Stream Management"), the session stays up. At most
 * {@link #MAX_ACK_BACKLOG} outbound streams the peer has not acknowledged. Inbound
 * streams are acknowledged at once, so this side never builds an ACK backlog at the peer.
 *
 * <p>All session state is touched on the connection's event loop only; the public methods may be called
 * from any thread.
 */
public final class YamuxHandler extends ChannelDuplexHandler {

    public static final String PROTOCOL_ID = "/yamux/1.0.0";
    /** The window every stream starts with in both directions, in bytes (yamux spec, "Flow Control"). */
    public static final int INITIAL_WINDOW = 256 * 1024;
    public static final int MAX_STREAMS = 1024;
    /** Streams the peer may hold open at once on one session unless the constructor says otherwise. */
    public static final int DEFAULT_MAX_INBOUND_STREAMS = 256;
    public static final int MAX_ACK_BACKLOG = 256;
    /** Pings awaiting an answer; more fail at once, so a silent peer cannot grow the table. */
    public static final int MAX_PENDING_PINGS = 16;

    private static final Logger log = LoggerFactory.getLogger(YamuxHandler.class);

    private enum State {
        OPEN,
        /** This side sent go-away: existing streams finish, no new ones either way. */
        GOING_AWAY,
        CLOSED
    }

    private record PendingPing(long startNanos, Promise<Duration> promise) {
    }

    private final boolean initiator;
    private final Consumer<Channel> inboundStreamInitializer;
    private final int receiveWindow;
    private final int maxInboundStreams;
    private final Map<Integer, YamuxStreamChannel> streams = new HashMap<>();
    private final Map<Long, PendingPing> pings = new HashMap<>();
    private ChannelHandlerContext ctx;
    private volatile State state = State.OPEN; // written on the event loop, read by acceptsNewStreams anywhere
    private volatile boolean remoteGoAway;
    private long nextStreamId;
    private int unacknowledged;
    private int inboundStreams;
    private long nextPingId;
    private boolean resumeScheduled;

    /**
     * @param initiator true on the side that dialled the connection (it opens odd stream ids)
     * @param inboundStreamInitializer called on the event loop with each stream the peer opens, before
     *     the stream is registered; it should install the stream's handlers (e.g. multistream-select)
     */
    public YamuxHandler(boolean initiator, Consumer<Channel> inboundStreamInitializer) {
        this(initiator, inboundStreamInitializer, INITIAL_WINDOW, DEFAULT_MAX_INBOUND_STREAMS);
    }

    /**
     * @param receiveWindow the per-stream window this side grants, in bytes, from {@link #INITIAL_WINDOW}
     *     to {@link YamuxFrameCodec#MAX_INBOUND_DATA_LENGTH}; a larger window is announced with each SYN/ACK
     */
    public YamuxHandler(boolean initiator, Consumer<Channel> inboundStreamInitializer, int receiveWindow) {
        this(initiator, inboundStreamInitializer, receiveWindow, DEFAULT_MAX_INBOUND_STREAMS);
    }

    /**
     * @param maxInboundStreams streams the peer may hold open at once, 1 to {@link #MAX_STREAMS}; a SYN past
     *     it is answered with RST
     */
    public YamuxHandler(boolean initiator, Consumer<Channel> inboundStreamInitializer, int receiveWindow,
            int maxInboundStreams) {
        if (maxInboundStreams < 1 || maxInboundStreams > MAX_STREAMS) {
            throw new IllegalArgumentException("max inbound streams out of range: " + maxInboundStreams);
        }
        this.maxInboundStreams = maxInboundStreams;
        if (receiveWindow < INITIAL_WINDOW || receiveWindow > YamuxFrameCodec.MAX_INBOUND_DATA_LENGTH) {
            throw new IllegalArgumentException("receive window out of range: " + receiveWindow);
        }
        this.initiator = initiator;
        this.inboundStreamInitializer = inboundStreamInitializer;
        this.receiveWindow = receiveWindow;
        this.nextStreamId = initiator ? 1 : 2;
    }

    // ---- public API, any thread ----

    /**
     * Opens a stream. The SYN goes out at once; data may be written before the peer acknowledges.
     *
     * @return the stream's channel, registered and active; fails with {@link ClosedChannelException} if
     *     the session is closed or going away, or {@link IllegalStateException} past a stream limit
     */
    public Future<Channel> openStream() {
        return openStream(stream -> { });
    }

    /**
     * Opens a stream like {@link #openStream()}, running {@code initializer} on the event loop before the
     * stream is registered, so that handlers it adds see every byte the peer sends.
     */
    public Future<Channel> openStream(Consumer<Channel> initializer) {
        EventLoop loop = connection().eventLoop();
        Promise<Channel> promise = loop.newPromise();
        onLoop(() -> openStream0(promise, initializer));
        return promise;
    }

    /** Sends a ping; the future completes with the round-trip time, or fails if the session closes first. */
    public Future<Duration> ping() {
        Promise<Duration> promise = connection().eventLoop().newPromise();
        onLoop(() -> {
            if (state == State.CLOSED || !ctx.channel().isActive()) {
                promise.tryFailure(new ClosedChannelException());
                return;
            }
            if (pings.size() >= MAX_PENDING_PINGS) {
                promise.tryFailure(new IllegalStateException(pings.size() + " pings are still unanswered"));
                return;
            }
            long id = nextPingId++ & YamuxFrame.MAX_UINT32;
            pings.put(id, new PendingPing(System.nanoTime(), promise));
            ctx.writeAndFlush(YamuxFrame.ping(YamuxFlag.SYN, id));
        });
        return promise;
    }

    /**
     * Tells the peer this session is ending normally: no new streams are opened or accepted after this,
     * open streams may finish. Closing the connection is left to the caller.
     */
    public Future<Void> goAway() {
        Promise<Void> promise = connection().eventLoop().newPromise();
        onLoop(() -> {
            if (state != State.OPEN) {
                promise.trySuccess(null);
                return;
            }
            state = State.GOING_AWAY;
            ctx.writeAndFlush(YamuxFrame.goAway(YamuxGoAwayCode.NORMAL)).addListener(f -> {
                if (f.isSuccess()) {
                    promise.trySuccess(null);
                } else {
                    promise.tryFailure(f.cause());
                }
            });
        });
        return promise;
    }

    /** True once the peer sent go-away: {@link #openStream()} then fails. */
    public boolean isRemoteGoingAway() {
        return remoteGoAway;
    }

    /** False once go-away was sent or received: no new streams either way. */
    public boolean acceptsNewStreams() {
        return state == State.OPEN && !remoteGoAway;
    }

    /** The number of open streams; read it on the event loop for an exact value. */
    public int streamCount() {
        return streams.size();
    }

    // ---- pipeline events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.pipeline().addBefore(ctx.name(), null, new YamuxFrameCodec());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof YamuxFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.CLOSED) {
            frame.release();
            return;
        }
        try {
            switch (frame.type()) {
                case PING -> onPing(frame);
                case GO_AWAY -> onGoAway(frame);
                case DATA, WINDOW_UPDATE -> onStreamFrame(frame);
            }
        } catch (YamuxProtocolException e) {
            fail(e.getMessage());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !resumeScheduled) {
            // Later, not now: this event can fire inside a stream's own flush, which would ignore the call.
            resumeScheduled = true;
            ctx.executor().execute(() -> {
                resumeScheduled = false;
                for (YamuxStreamChannel stream : new ArrayList<>(streams.values())) {
                    stream.writeQueued();
                }
            });
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof YamuxProtocolException) {
            fail(cause.getMessage());
        } else {
            log.debug("yamux: connection {} failed, closing it", ctx.channel(), cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        closeAll("connection closed");
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        closeAll("yamux handler removed");
    }

    // ---- frames ----

    private void onPing(YamuxFrame frame) {
        frame.release();
        requireSessionId(frame);
        if (frame.has(YamuxFlag.SYN)) {
            ctx.writeAndFlush(YamuxFrame.ping(YamuxFlag.ACK, frame.length()));
        } else if (frame.has(YamuxFlag.ACK)) {
            PendingPing ping = pings.remove(frame.length());
            if (ping != null) {
                ping.promise().trySuccess(Duration.ofNanos(System.nanoTime() - ping.startNanos()));
            } else {
                log.debug("yamux: unsolicited ping response {} on {}", frame.length(), ctx.channel());
            }
        } else {
            throw new YamuxProtocolException("ping without SYN or ACK");
        }
    }

    private void onGoAway(YamuxFrame frame) {
        frame.release();
        requireSessionId(frame);
        remoteGoAway = true;
        String code = YamuxGoAwayCode.describe(frame.length());
        if (frame.length() == YamuxGoAwayCode.NORMAL.code()) {
            log.debug("yamux: peer {} is going away", ctx.channel().remoteAddress());
        } else {
            log.warn("yamux: peer {} is going away with error {}", ctx.channel().remoteAddress(), code);
        }
    }

    private void onStreamFrame(YamuxFrame frame) {
        int id = frame.streamId();
        if (id == 0) {
            frame.release();
            throw new YamuxProtocolException(frame.type() + " frame on the session stream id 0");
        }
        YamuxStreamChannel stream = streams.get(id);
        if (frame.has(YamuxFlag.SYN)) {
            if (stream != null) {
                frame.release();
                throw new YamuxProtocolException("SYN for stream " + Integer.toUnsignedString(id) + " which is already open");
            }
            stream = acceptStream(frame);
            if (stream == null) {
                return;
            }
        }
        if (stream == null) {
            // Frames can cross a RST or a close in flight; they are harmless, so drop them quietly.
            log.debug("yamux: {} for unknown stream on {}, dropped", frame, ctx.channel());
            frame.release();
            return;
        }
        stream.onFrame(frame);
    }

    private YamuxStreamChannel acceptStream(YamuxFrame frame) {
        int id = frame.streamId();
        boolean peerParity = (id & 1) == (initiator ? 0 : 1);
        if (!peerParity) {
            frame.release();
            throw new YamuxProtocolException("peer opened stream " + Integer.toUnsignedString(id) + " with this side's parity");
        }
        if (state != State.OPEN || streams.size() >= MAX_STREAMS || inboundStreams >= maxInboundStreams) {
            log.debug("yamux: refusing stream {} on {} ({} open, {} by the peer, state {})", Integer.toUnsignedString(id),
                    ctx.channel(), streams.size(), inboundStreams, state);
            frame.release();
            writeFrame(YamuxFrame.windowUpdate(id, Set.of(YamuxFlag.RST), 0));
            flush();
            return null;
        }
        // ACK first, so nothing the initializer or the stream writes can overtake it.
        writeFrame(YamuxFrame.windowUpdate(id, Set.of(YamuxFlag.ACK), receiveWindow - INITIAL_WINDOW));
        flush();
        YamuxStreamChannel stream = new YamuxStreamChannel(this, id, false, receiveWindow);
        streams.put(id, stream);
        inboundStreams++;
        if (!initializeAndRegister(stream, inboundStreamInitializer)) {
            frame.release();
            return null;
        }
        return stream;
    }

    /** Runs the initializer, then registers; on failure resets the stream and returns false. */
    private boolean initializeAndRegister(YamuxStreamChannel stream, Consumer<Channel> initializer) {
        try {
            initializer.accept(stream);
        } catch (RuntimeException e) {
            log.warn("yamux: initializer failed for stream {} on {}, resetting it", Integer.toUnsignedString(stream.streamId()),
                    ctx.channel(), e);
            stream.unsafe().closeForcibly(); // sends RST and leaves the session
            return false;
        }
        connection().eventLoop().register(stream);
        return true;
    }

    private void openStream0(Promise<Channel> promise, Consumer<Channel> initializer) {
        if (state != State.OPEN || remoteGoAway || !ctx.channel().isActive()) {
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (streams.size() >= MAX_STREAMS) {
            promise.tryFailure(new IllegalStateException("too many yamux streams: " + streams.size()));
            return;
        }
        if (unacknowledged >= MAX_ACK_BACKLOG) {
            promise.tryFailure(new IllegalStateException("the peer has not acknowledged " + unacknowledged + " streams"));
            return;
        }
        if (nextStreamId > YamuxFrame.MAX_UINT32) {
            promise.tryFailure(new IllegalStateException("yamux stream ids exhausted"));
            return;
        }
        int id = (int) nextStreamId;
        nextStreamId += 2;
        YamuxStreamChannel stream = new YamuxStreamChannel(this, id, true, receiveWindow);
        streams.put(id, stream);
        unacknowledged++;
        writeFrame(YamuxFrame.windowUpdate(id, Set.of(YamuxFlag.SYN), receiveWindow - INITIAL_WINDOW));
        flush();
        if (initializeAndRegister(stream, initializer)) {
            promise.trySuccess(stream);
        } else {
            promise.tryFailure(new IllegalStateException("the stream initializer failed"));
        }
    }

    // ---- for streams ----

    Channel connection() {
        if (ctx == null) {
            throw new IllegalStateException("the yamux handler is not in a pipeline");
        }
        return ctx.channel();
    }

    /** Writes a frame on the connection; a frame written after the session closed is released and fails. */
    ChannelFuture writeFrame(YamuxFrame frame) {
        if (state == State.CLOSED) {
            frame.release();
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        return ctx.write(frame);
    }

    boolean connectionWritable() {
        return ctx.channel().isWritable();
    }

    void flush() {
        if (state != State.CLOSED) {
            ctx.flush();
        }
    }

    void streamAcknowledged() {
        unacknowledged--;
    }

    void streamClosed(YamuxStreamChannel stream) {
        if (!streams.remove(stream.streamId(), stream)) {
            return;
        }
        if (!stream.isOutbound()) {
            inboundStreams--;
        } else if (!stream.isAcknowledged()) {
            unacknowledged--;
        }
    }

    // ---- failure ----

    private void fail(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        log.warn("yamux: protocol error from {}, closing the connection: {}", ctx.channel().remoteAddress(), reason);
        state = State.CLOSED;
        ctx.writeAndFlush(YamuxFrame.goAway(YamuxGoAwayCode.PROTOCOL_ERROR)).addListener(ChannelFutureListener.CLOSE);
        closeAll(reason);
    }

    private void closeAll(String reason) {
        for (YamuxStreamChannel stream : new ArrayList<>(streams.values())) {
            stream.onReset("yamux session ended: " + reason);
        }
        streams.clear();
        unacknowledged = 0;
        inboundStreams = 0;
        for (PendingPing ping : pings.values()) {
            ping.promise().tryFailure(new ClosedChannelException());
        }
        pings.clear();
    }

    private static void requireSessionId(YamuxFrame frame) {
        if (frame.streamId() != 0) {
            throw new YamuxProtocolException(frame.type() + " frame on stream " + Integer.toUnsignedString(frame.streamId())
                    + ", expected the session id 0");
        }
    }

    private void onLoop(Runnable task) {
        EventLoop loop = connection().eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    @Override
    public String toString() {
        return "YamuxHandler[" + (initiator ? "initiator" : "responder") + ", " + streams.size() + " streams, " + state + "]";
    }
}
