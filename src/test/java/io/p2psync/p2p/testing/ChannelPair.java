package io.p2psync.p2p.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Two {@link EmbeddedChannel}s wired back to back in memory: {@link #pump()} moves every byte one side
 * wrote into the other side, until neither has anything left to send. Every buffer it moves is
 * recorded, so a test can check that the receiving pipeline released all of them.
 */
public final class ChannelPair {

    public final EmbeddedChannel a;
    public final EmbeddedChannel b;
    private final List<ByteBuf> delivered = new ArrayList<>();

    public ChannelPair(EmbeddedChannel a, EmbeddedChannel b) {
        this.a = a;
        this.b = b;
    }

    /** Moves bytes both ways until both sides are quiet; returns the number of buffers moved. */
    public int pump() {
        int moved = 0;
        boolean progress = true;
        while (progress) {
            progress = move(a, b) + move(b, a) > 0;
            moved += progress ? 1 : 0;
        }
        return moved;
    }

    private int move(EmbeddedChannel from, EmbeddedChannel to) {
        int n = 0;
        from.runPendingTasks();
        for (Object msg = from.readOutbound(); msg != null; msg = from.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            n++;
            if (!to.isOpen()) {
                buf.release();
                continue;
            }
            delivered.add(buf);
            to.writeInbound(buf);
            to.runPendingTasks();
        }
        return n;
    }

    /** The bytes {@code from} has written and not yet pumped, drained into one array. */
    public static byte[] drain(EmbeddedChannel from) {
        List<byte[]> parts = new ArrayList<>();
        for (Object msg = from.readOutbound(); msg != null; msg = from.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            parts.add(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** True if every buffer delivered so far has been released by the side that received it. */
    public boolean allDeliveredReleased() {
        return delivered.stream().allMatch(buf -> buf.refCnt() == 0);
    }
}
