package io.p2psync.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import java.util.Set;

/**
 * One yamux frame: the 12-byte header and, for {@link YamuxType#DATA}, its payload.
 *
 * <p>The frame owns {@code payload}: releasing the frame releases the payload, so Netty's pipeline
 * and {@link io.netty.util.ReferenceCountUtil} treat it like any buffer. Frames of the other types carry
 * an empty payload.
 *
 * @param version always {@link #VERSION}
 * @param type the frame type
 * @param flags the header flags, unmodifiable
 * @param streamId the stream, an unsigned 32-bit value; 0 names the session (ping, go-away)
 * @param length unsigned 32-bit: the payload length (data), the window delta (window update), the
 *     opaque value (ping) or the error code (go-away)
 * @param payload the data of a DATA frame, never null
 */
public record YamuxFrame(int version, YamuxType type, Set<YamuxFlag> flags, int streamId, long length, ByteBuf payload)
        implements ReferenceCounted {

    public static final int VERSION = 0;
    static final long MAX_UINT32 = 0xffff_ffffL;

    public YamuxFrame {
        if (version != VERSION) {
            throw new YamuxProtocolException("unsupported yamux version " + version);
        }
        if (type == null || flags == null || payload == null) {
            throw new NullPointerException("type, flags and payload are required");
        }
        if (length < 0 || length > MAX_UINT32) {
            throw new IllegalArgumentException("length is an unsigned 32-bit value: " + length);
        }
        if (type == YamuxType.DATA ? payload.readableBytes() != length : payload.isReadable()) {
            throw new IllegalArgumentException("payload does not match a " + type + " frame of length " + length);
        }
        flags = Set.copyOf(flags);
    }

    /** A DATA frame carrying {@code payload} (ownership passes to the frame). */
    public static YamuxFrame data(int streamId, Set<YamuxFlag> flags, ByteBuf payload) {
        return new YamuxFrame(VERSION, YamuxType.DATA, flags, streamId, payload.readableBytes(), payload);
    }

    public static YamuxFrame windowUpdate(int streamId, Set<YamuxFlag> flags, long delta) {
        return new YamuxFrame(VERSION, YamuxType.WINDOW_UPDATE, flags, streamId, delta, Unpooled.EMPTY_BUFFER);
    }

    /** A ping request ({@code SYN}) or response ({@code ACK}) on the session. */
    public static YamuxFrame ping(YamuxFlag flag, long opaque) {
        return new YamuxFrame(VERSION, YamuxType.PING, Set.of(flag), 0, opaque, Unpooled.EMPTY_BUFFER);
    }

    public static YamuxFrame goAway(YamuxGoAwayCode code) {
        return new YamuxFrame(VERSION, YamuxType.GO_AWAY, Set.of(), 0, code.code(), Unpooled.EMPTY_BUFFER);
    }

    public boolean has(YamuxFlag flag) {
        return flags.contains(flag);
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public YamuxFrame retain() {
        payload.retain();
        return this;
    }

    @Override
    public YamuxFrame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public YamuxFrame touch() {
        payload.touch();
        return this;
    }

    @Override
    public YamuxFrame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }

    @Override
    public String toString() {
        return "YamuxFrame[" + type + " stream=" + Integer.toUnsignedString(streamId) + " flags=" + flags
                + " length=" + length + "]";
    }
}
