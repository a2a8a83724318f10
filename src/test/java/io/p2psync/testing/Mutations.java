package io.p2psync.testing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Inputs for fuzzing a decoder: arbitrary bytes, and valid encodings damaged by a few edits (a flipped bit,
 * a changed, inserted or deleted byte, a cut, or a length field overwritten with a huge value). The edits
 * are jqwik values, so a failing case shrinks to the fewest, smallest edits and prints them.
 */
public final class Mutations {

    /** Values a length field might be overwritten with: huge varints and huge big-endian integers. */
    private static final List<byte[]> HUGE = List.of(
            HexFormat.of().parseHex("ffffffff0f"), // varint 2^32 - 1
            HexFormat.of().parseHex("ffffffff07"), // varint 2^31 - 1
            HexFormat.of().parseHex("8080808010"), // varint 2^32, past an int
            HexFormat.of().parseHex("ffffffffffffffff7f"), // varint 2^63 - 1, the longest allowed
            HexFormat.of().parseHex("ffffffffffffffffff01"), // a varint of 10 bytes
            HexFormat.of().parseHex("8000"), // a non-minimal varint zero
            HexFormat.of().parseHex("ffffffff"), // big-endian 2^32 - 1
            HexFormat.of().parseHex("7fffffff"), // big-endian 2^31 - 1
            HexFormat.of().parseHex("80000000"), // big-endian 2^31: negative as an int
            HexFormat.of().parseHex("ffff")); // big-endian 65535

    private Mutations() {
    }

    /** One edit of a byte string; positions are taken modulo the length, so any edit applies to any input. */
    public sealed interface Edit permits Flip, Put, Insert, Delete, Cut, Huge {
        byte[] apply(byte[] in);
    }

    /** Flips bit {@code bit} of the byte at {@code at}. */
    public record Flip(int at, int bit) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            byte[] out = in.clone();
            out[at % in.length] ^= (byte) (1 << bit);
            return out;
        }
    }

    /** Sets the byte at {@code at} to {@code value}. */
    public record Put(int at, byte value) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            byte[] out = in.clone();
            out[at % in.length] = value;
            return out;
        }
    }

    /** Inserts {@code bytes} before position {@code at}. */
    public record Insert(int at, byte[] bytes) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            int i = at % (in.length + 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + bytes.length);
            out.write(in, 0, i);
            out.writeBytes(bytes);
            out.write(in, i, in.length - i);
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return "Insert[at=" + at + ", bytes=" + HexFormat.of().formatHex(bytes) + "]";
        }
    }

    /** Deletes up to {@code length} bytes from {@code at}. */
    public record Delete(int at, int length) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            int i = at % in.length;
            int n = Math.min(length, in.length - i);
            byte[] out = new byte[in.length - n];
            System.arraycopy(in, 0, out, 0, i);
            System.arraycopy(in, i + n, out, i, in.length - i - n);
            return out;
        }
    }

    /** Keeps only the first {@code at} bytes (modulo the length plus one). */
    public record Cut(int at) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, at % (in.length + 1));
        }
    }

    /** Overwrites the bytes at {@code at} with one of the huge length values. */
    public record Huge(int at, int which) implements Edit {
        @Override
        public byte[] apply(byte[] in) {
            byte[] value = HUGE.get(which % HUGE.size());
            int i = in.length == 0 ? 0 : at % in.length;
            byte[] out = Arrays.copyOf(in, Math.max(in.length, i + value.length));
            System.arraycopy(value, 0, out, i, value.length);
            return out;
        }

        @Override
        public String toString() {
            return "Huge[at=" + at + ", value=" + HexFormat.of().formatHex(HUGE.get(which % HUGE.size())) + "]";
        }
    }

    /** Any bytes, from none up to {@code maxLength}. */
    public static Arbitrary<byte[]> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /** One to four edits. */
    public static Arbitrary<List<Edit>> edits() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, 1 << 16);
        Arbitrary<Edit> edit = Arbitraries.oneOf(
                Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(Flip::new),
                Combinators.combine(at, Arbitraries.bytes()).as(Put::new),
                Combinators.combine(at, bytes(8).filter(b -> b.length > 0)).as(Insert::new),
                Combinators.combine(at, Arbitraries.integers().between(1, 16)).as(Delete::new),
                at.map(Cut::new),
                Combinators.combine(at, Arbitraries.integers().between(0, HUGE.size() - 1)).as(Huge::new));
        return edit.list().ofMinSize(1).ofMaxSize(4);
    }

    /** {@code seed} with {@code edits} applied in order. */
    public static byte[] apply(byte[] seed, List<Edit> edits) {
        byte[] out = seed;
        for (Edit e : edits) {
            out = e.apply(out);
        }
        return out;
    }

    /** A seed with its edits; prints the damaged bytes in hex and the edits that made them. */
    public record Mutant(byte[] seed, List<Edit> edits) {
        public byte[] bytes() {
            return apply(seed, edits);
        }

        @Override
        public String toString() {
            return "Mutant[" + HexFormat.of().formatHex(bytes()) + " made by " + edits + "]";
        }
    }

    /** One of {@code seeds}, damaged by one to four edits. */
    public static Arbitrary<Mutant> of(List<byte[]> seeds) {
        return Combinators.combine(Arbitraries.of(seeds), edits()).as(Mutant::new);
    }
}
