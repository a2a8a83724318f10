package io.p2psync.identity;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014). A timestamp is one long:
 * the wall-clock milliseconds in the upper 48 bits and a counter in the lower 16, so timestamps compare as
 * plain longs. Every timestamp this clock hands out is greater than every one it handed out or observed
 * before, even when the wall clock goes back or a peer's clock runs ahead.
 *
 * <p>Every received timestamp is observed, however far ahead: a change made on top of another must carry a
 * greater clock than the value it replaced, or "later wins" would undo it on some devices and not on others.
 * (Conflict rules put causality first anyway; see docs/conflicts.md.) Only an absurd timestamp is left out:
 * one whose wall part lies more than {@link #MAX_AHEAD_MS} (a century) ahead of this clock's wall clock, so a
 * broken or hostile stamp near the top of the range cannot carry every later timestamp past {@code 2^63}
 * and wrap it negative. A device whose clock runs days or years ahead is still followed.
 *
 * <p>Thread-safe. Start it from the highest timestamp this device handed out before (its own entries), so
 * it never goes back across restarts; received entries are observed again as they arrive.
 */
public final class HybridLogicalClock {

    private static final int COUNTER_BITS = 16;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;
    /** The largest timestamp that is still a positive long (wall part below 2^47 ms, some 4,000 years). */
    static final long MAX = ((1L << 47) - 1) << COUNTER_BITS;
    /** How far ahead of the local wall clock a received timestamp may be and still be followed: a century. */
    public static final long MAX_AHEAD_MS = 100L * 366 * 24 * 60 * 60 * 1000;

    private final LongSupplier wallClock;
    private long last;

    /**
     * @param wallClock milliseconds since the epoch
     * @param start     the highest timestamp already used (0 if none); later timestamps are greater
     */
    public HybridLogicalClock(LongSupplier wallClock, long start) {
        this.wallClock = wallClock;
        this.last = Math.max(0, start);
    }

    public HybridLogicalClock(long start) {
        this(System::currentTimeMillis, start);
    }

    /** A new timestamp, greater than all before (send or local event rule). */
    public synchronized long now() {
        last = next(pack(wallClock.getAsLong(), 0), last);
        return last;
    }

    /**
     * A new timestamp for an event that happened {@code agoMillis} before this clock's wall clock now: its wall
     * part is then, unless that is not past every timestamp handed out or observed before, when it ticks past the
     * last one as {@link #now()} does. For a local change sealed a while after it was made (written while the node
     * was stopped, say), so that it does not pass for a later edit than it was.
     */
    public synchronized long ago(long agoMillis) {
        last = next(pack(Math.max(0, wallClock.getAsLong() - Math.max(0, agoMillis)), 0), last);
        return last;
    }

    /**
     * Takes in a timestamp from another device (receive rule): later {@link #now()} calls answer
     * timestamps greater than {@code remote}, however far ahead it is within {@link #MAX_AHEAD_MS}. A
     * negative timestamp, one past {@link #MAX}, or one more than a century ahead is left out.
     *
     * @return the new timestamp of this clock
     */
    public synchronized long observe(long remote) {
        long wall = wallClock.getAsLong();
        boolean fits = remote >= 0 && remote <= MAX && wallMillis(remote) - wall <= MAX_AHEAD_MS;
        last = next(pack(wall, 0), fits ? Math.max(last, remote) : last);
        return last;
    }

    /** The last timestamp handed out or observed, without advancing. */
    public synchronized long last() {
        return last;
    }

    private static long next(long physical, long floor) {
        // Physical time ahead of everything seen: use it with counter 0. Otherwise tick past the floor;
        // a counter overflow carries into the millisecond part, which keeps the order.
        return physical > floor ? physical : floor + 1;
    }

    /** Packs wall milliseconds and a counter into one timestamp. */
    public static long pack(long wallMillis, int counter) {
        if (wallMillis < 0 || wallMillis >= (1L << 48)) {
            throw new IllegalArgumentException("wall clock out of range: " + wallMillis);
        }
        return (wallMillis << COUNTER_BITS) | (counter & COUNTER_MASK);
    }

    /** The wall-clock milliseconds of a timestamp. */
    public static long wallMillis(long timestamp) {
        return timestamp >>> COUNTER_BITS;
    }

    /** The logical counter of a timestamp. */
    public static int counter(long timestamp) {
        return (int) (timestamp & COUNTER_MASK);
    }
}
