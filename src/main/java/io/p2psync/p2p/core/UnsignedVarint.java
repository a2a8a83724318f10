package io.p2psync.p2p.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as used by multiformats (multiaddr codes and lengths, multistream lengths).
 *
 * <p>The multiformats unsigned-varint spec caps a varint at 9 bytes (63 bits) and forbids non-minimal
 * encodings; both are rejected here with {@link IllegalArgumentException}.
 */
public final class UnsignedVarint {

    /** The longest varint the multiformats spec allows. */
    public static final int MAX_BYTES = 9;

    private UnsignedVarint() {
    }

    /** Appends the varint of {@code value} (must be non-negative) to {@code out}. */
    public static void write(long value, ByteArrayOutputStream out) {
        if (value < 0) {
            throw new IllegalArgumentException("a varint is unsigned, got " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** The encoding of {@code value} alone. */
    public static byte[] encode(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_BYTES);
        write(value, out);
        return out.toByteArray();
    }

    /**
     * Reads one varint from {@code in}, advancing its position.
     *
     * @throws IllegalArgumentException if the input ends inside the varint, it is longer than
     *     {@link #MAX_BYTES}, or it is not minimally encoded
     */
    public static long read(ByteBuffer in) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("truncated varint");
            }
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IllegalArgumentException("varint is not minimally encoded");
                }
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than " + MAX_BYTES + " bytes");
    }
}
