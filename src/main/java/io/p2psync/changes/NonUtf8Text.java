package io.p2psync.changes;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A TEXT value whose bytes are not valid UTF-8, kept as those bytes. SQLite stores whatever bytes a program
 * binds as text (a legacy app writing Latin-1 through {@code sqlite3_bind_text}, or {@code CAST(X'E9' AS TEXT)}),
 * while a Java {@link String} cannot hold them: sqlite-jdbc's {@code getString} turns each invalid byte into
 * U+FFFD. So such a value is read as its bytes ({@link SqlValues#read}), travels as
 * {@code {"text":"<base64>"}}, and is written back as TEXT with the same bytes. Text that is valid UTF-8 is
 * always a String, never this, so each value has one form.
 *
 * @param bytes the value's bytes as SQLite holds them; never valid UTF-8
 */
public record NonUtf8Text(byte[] bytes) {

    public NonUtf8Text {
        bytes = bytes.clone();
        if (isUtf8(bytes)) {
            throw new IllegalArgumentException("TEXT bytes that are valid UTF-8 travel as a JSON string");
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes without a copy, for hashing and binding. */
    byte[] raw() {
        return bytes;
    }

    /**
     * The text as sqlite-jdbc's {@code getString} reads it, U+FFFD in place of each byte it cannot decode: how
     * versions before this type read (and recorded) such a value.
     */
    String asReadBefore() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** True if {@code bytes} are valid UTF-8 (which is what SQLite means by TEXT in a UTF-8 file). */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NonUtf8Text other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TEXT X'" + HexFormat.of().withUpperCase().formatHex(bytes) + "'";
    }
}
