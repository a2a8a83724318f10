package io.p2psync.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * One yamux stream as a Netty channel, a child of the connection channel.
 *
 * <p>Writes become DATA frames, never more than the peer's receive window allows: what does not fit
 * stays in this channel's outbound buffer (so {@link #isWritable()} turns false under back-pressure) and
 * goes out as WINDOW_UPDATE frames arrive; a write's promise completes once all its bytes are framed.
 * Reads are the stream's payload, in order; the peer's window is replenished only as the pipeline
 * consumes data, so a stream with {@code autoRead=false} holds at most one window of unread bytes.
 *
 * <p>Half-close: {@link #shutdownOutput()} sends FIN after the data already written. The peer's FIN
 * fires {@link ChannelInputShutdownEvent} and then {@link ChannelInputShutdownReadComplete} after the
 * last byte (the channel always allows half-closure). Once both sides have sent FIN the channel closes
 * by itself. {@link #close()} before that resets the stream (RST). A reset by the peer closes the channel
 * and fails pending writes with {@link YamuxStreamResetException}.
 *
 * <p>All state is touched on the connection's event loop only.
 */
public final class YamuxStreamChannel extends AbstractChannel implements DuplexChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final YamuxHandler session;
    private final int streamId;
    private final boolean outbound;
    private final int maxReceiveWindow;
    private final ChannelConfig config = new DefaultChannelConfig(this);
    private final ArrayDeque<ByteBuf> received = new ArrayDeque<>();

    private long sendWindow = YamuxHandler.INITIAL_WINDOW;
    private long receiveWindow;
    /** Bytes handed to the pipeline and not yet returned to the peer by a window update. */
    private long consumed;
    private boolean acknowledged;
    private boolean open = true;
    private boolean reset;
    private boolean finRequested;
    private ChannelPromise finPromise;
    private boolean finSent;
    private boolean finReceived;
    private boolean inputShutdownFired;
    private boolean inputDiscarded;
    private boolean readRequested;
    private boolean delivering;

    YamuxStreamChannel(YamuxHandler session, int streamId, boolean outbound, int receiveWindow) {
        super(session.connection());
        this.session = session;
        this.streamId = streamId;
        this.outbound = outbound;
        this.maxReceiveWindow = receiveWindow;
        this.receiveWindow = receiveWindow;
        this.acknowledged = !outbound;
    }

    /** The yamux stream id: odd for streams the dialler opened, even for the listener's. */
    public int streamId() {
        return streamId;
    }

    /** True if this side opened the stream. */
    public boolean isOutbound() {
        return outbound;
    }

    /** True once the stream was reset, by either side. */
    public boolean isReset() {
        return reset;
    }

    boolean isAcknowledged() {
        return acknowledged;
    }

    // ---- frames from the session, on the event loop ----

    /** Applies a DATA or WINDOW_UPDATE frame; takes ownership of the frame. */
    void onFrame(YamuxFrame frame) {
        if (frame.has(YamuxFlag.ACK) && !acknowledged) {
            acknowledged = true;
            session.streamAcknowledged();
        }
        if (frame.type() == YamuxType.DATA) {
            onData(frame.payload());
        } else if (frame.length() > 0) {
            onWindowUpdate(frame.length());
        }
        if (frame.has(YamuxFlag.FIN)) {
            onFin();
        }
        if (frame.has(YamuxFlag.RST)) {
            onReset("stream " + streamId + " reset by peer");
        }
    }

    private void onData(ByteBuf data) {
        int length = data.readableBytes();
        if (length > receiveWindow) {
            data.release();
            throw new YamuxProtocolException("stream " + streamId + " sent " + length
                    + " bytes with a receive window of " + receiveWindow);
        }
        if (length > 0 && finReceived) {
            data.release();
            throw new YamuxProtocolException("stream " + streamId + " sent data after FIN");
        }
        receiveWindow -= length;
        if (length == 0) {
            data.release();
        } else if (!open || inputDiscarded) {
            data.release();
            consumed += length;
            creditWindow();
        } else {
            received.add(data);
            deliver();
        }
    }

    private void onWindowUpdate(long delta) {
        sendWindow += delta;
        writeQueued();
    }

    /** Sends what waited for window or for the connection to drain. */
    void writeQueued() {
        if (open && !reset && isRegistered()) {
            ((StreamUnsafe) unsafe()).writeQueued();
        }
    }

    private void onFin() {
        if (!finReceived) {
            finReceived = true;
            deliver();
            closeIfDone();
        }
    }

    void onReset(String reason) {
        if (!open) {
            return;
        }
        reset = true;
        releaseReceived();
        ((StreamUnsafe) unsafe()).resetClose(new YamuxStreamResetException(reason));
    }

    // ---- reading ----

    private void deliver() {
        if (delivering || !isRegistered()) {
            return;
        }
        delivering = true;
        try {
            boolean read = false;
            while (readRequested && open && !received.isEmpty()) {
                ByteBuf data = received.poll();
                consumed += data.readableBytes();
                read = true;
                if (!config.isAutoRead()) {
                    readRequested = false;
                }
                pipeline().fireChannelRead(data);
            }
            if (read) {
                pipeline().fireChannelReadComplete();
                creditWindow();
            }
            if (open && finReceived && received.isEmpty() && !inputShutdownFired && !inputDiscarded) {
                inputShutdownFired = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
        } finally {
            delivering = false;
        }
        closeIfDone();
    }

    /** Returns consumed bytes to the peer in batches of half a window, as the go and js yamux do. */
    private void creditWindow() {
        if (finReceived || !open || consumed < maxReceiveWindow / 2) {
            return;
        }
        long delta = consumed;
        consumed = 0;
        receiveWindow += delta;
        session.writeFrame(YamuxFrame.windowUpdate(streamId, Set.of(), delta));
        session.flush();
    }

    private void releaseReceived() {
        ByteBuf data;
        while ((data = received.poll()) != null) {
            data.release();
        }
    }

    @Override
    protected void doBeginRead() {
        readRequested = true;
        deliver();
    }

    // ---- writing ----

    @Override
    protected Object filterOutboundMessage(Object msg) throws Exception {
        if (!(msg instanceof ByteBuf)) {
            throw new UnsupportedOperationException("a yamux stream writes ByteBufs, not " + msg.getClass().getName());
        }
        if (finRequested) {
            throw new ChannelOutputShutdownException("stream " + streamId + " output is shut down");
        }
        return msg;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean wrote;
        do {
            wrote = false;
            // Stop while the connection is backed up too: then this stream's own buffer fills and its writer
            // sees isWritable() == false, instead of every stream piling a window's worth onto the connection.
            while (sendWindow > 0 && session.connectionWritable()) {
                Object msg = in.current();
                if (msg == null) {
                    break;
                }
                ByteBuf data = (ByteBuf) msg;
                int length = (int) Math.min(Math.min(data.readableBytes(), sendWindow), YamuxFrameCodec.MAX_OUTBOUND_DATA_LENGTH);
                if (length == 0) {
                    in.remove();
                    continue;
                }
                session.writeFrame(YamuxFrame.data(streamId, Set.of(), data.retainedSlice(data.readerIndex(), length)));
                sendWindow -= length;
                in.removeBytes(length);
                wrote = true;
            }
            if (wrote) {
                session.flush(); // may drain the connection at once, so look again
            }
        } while (wrote && sendWindow > 0 && in.current() != null && session.connectionWritable());
        sendFinIfDrained(in);
    }

    private void sendFinIfDrained(ChannelOutboundBuffer in) {
        if (!finRequested || finSent || !open || (in != null && !in.isEmpty())) {
            return;
        }
        finSent = true;
        ChannelPromise promise = finPromise;
        session.writeFrame(YamuxFrame.windowUpdate(streamId, Set.of(YamuxFlag.FIN), 0)).addListener(f -> {
            if (f.isSuccess()) {
                promise.trySuccess();
            } else {
                promise.tryFailure(f.cause());
            }
        });
        session.flush();
        closeIfDone();
    }

    private void closeIfDone() {
        if (open && finSent && finReceived && received.isEmpty() && (inputShutdownFired || inputDiscarded)) {
            unsafe().close(voidPromise());
        }
    }

    // ---- half-close ----

    @Override
    public boolean isInputShutdown() {
        return !open || inputDiscarded || (finReceived && received.isEmpty());
    }

    @Override
    public boolean isOutputShutdown() {
        return !open || finRequested;
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    /** Sends FIN once the data written so far has gone out; the promise completes when FIN is written. */
    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        onLoop(() -> {
            if (!open) {
                promise.tryFailure(new ClosedChannelException());
            } else if (finRequested) {
                finPromise.addListener(f -> {
                    if (f.isSuccess()) {
                        promise.trySuccess();
                    } else {
                        promise.tryFailure(f.cause());
                    }
                });
            } else {
                finRequested = true;
                finPromise = promise;
                unsafe().flush();
                sendFinIfDrained(unsafe().outboundBuffer());
            }
        });
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Drops unread and future data (still crediting the peer's window); no frame is sent. */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        onLoop(() -> {
            if (open && !inputDiscarded) {
                inputDiscarded = true;
                for (ByteBuf data : received) {
                    consumed += data.readableBytes();
                }
                releaseReceived();
                creditWindow();
                closeIfDone();
            }
            promise.trySuccess();
        });
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownInput();
        return shutdownOutput(promise);
    }

    private void onLoop(Runnable task) {
        // the connection's loop: the same one, and usable before this channel is registered
        EventLoop loop = parent().eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ---- channel plumbing ----

    @Override
    protected void doClose() {
        boolean wasOpen = open;
        open = false;
        if (wasOpen && !reset && !(finSent && finReceived)) {
            reset = true;
            session.writeFrame(YamuxFrame.windowUpdate(streamId, Set.of(YamuxFlag.RST), 0));
            session.flush();
        }
        releaseReceived();
        if (finPromise != null) {
            finPromise.tryFailure(new ClosedChannelException());
        }
        if (wasOpen) {
            session.streamClosed(this);
        }
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new StreamUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return parent().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return parent().remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a yamux stream cannot be bound");
    }

    @Override
    protected void doDisconnect() {
        close();
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public String toString() {
        return "yamux stream " + Integer.toUnsignedString(streamId) + (outbound ? " out" : " in") + " on " + parent();
    }

    private final class StreamUnsafe extends AbstractUnsafe {

        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a yamux stream is opened through its session"));
        }

        /** Retries flushed writes that waited for window; does not flush writes the app has not flushed. */
        void writeQueued() {
            flush0();
        }

        void resetClose(YamuxStreamResetException cause) {
            ClosedChannelException closed = new ClosedChannelException();
            closed.initCause(cause);
            close(voidPromise(), cause, closed);
        }
    }
}
