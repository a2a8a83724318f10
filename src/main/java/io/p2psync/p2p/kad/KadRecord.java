package io.p2psync.p2p.kad;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value stored in the DHT under a key (the spec's Record).
 *
 * @param timeReceived when the storing node received it, RFC 3339, as the spec's receiver sets it; empty if unset
 */
public record KadRecord(byte[] key, byte[] value, String timeReceived) {

    public KadRecord {
        key = Objects.requireNonNull(key, "key").clone();
        value = Objects.requireNonNull(value, "value").clone();
        timeReceived = timeReceived == null ? "" : timeReceived;
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadRecord r && Arrays.equals(key, r.key) && Arrays.equals(value, r.value)
                && timeReceived.equals(r.timeReceived);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + timeReceived.hashCode();
    }

    @Override
    public String toString() {
        return "KadRecord[key=" + key.length + "B value=" + value.length + "B]";
    }
}
