package io.p2psync.p2p.relay;

import io.p2psync.p2p.relay.pb.CircuitProto;
import java.time.Duration;

/**
 * The limits a relay puts on one circuit (the spec's {@code Limit}): how long it stays open and how many bytes may
 * cross it in each direction; zero means no limit.
 *
 * @param duration the longest life of the circuit, whole seconds; {@link Duration#ZERO} for none
 * @param bytes the most bytes carried in each direction; 0 for none
 */
public record CircuitLimit(Duration duration, long bytes) {

    public static final CircuitLimit NONE = new CircuitLimit(Duration.ZERO, 0);

    public CircuitLimit {
        if (duration == null || duration.isNegative() || bytes < 0) {
            throw new IllegalArgumentException("circuit limits must not be negative");
        }
        if (duration.getSeconds() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("a circuit's duration limit must fit 32 bits of seconds");
        }
    }

    CircuitProto.Limit toWire() {
        CircuitProto.Limit.Builder limit = CircuitProto.Limit.newBuilder();
        if (!duration.isZero()) {
            limit.setDuration((int) Math.max(1, duration.getSeconds()));
        }
        if (bytes > 0) {
            limit.setData(bytes);
        }
        return limit.build();
    }

    static CircuitLimit fromWire(CircuitProto.Limit limit) {
        long seconds = Integer.toUnsignedLong(limit.getDuration());
        long data = limit.getData();
        return new CircuitLimit(Duration.ofSeconds(seconds), data < 0 ? Long.MAX_VALUE : data);
    }
}
