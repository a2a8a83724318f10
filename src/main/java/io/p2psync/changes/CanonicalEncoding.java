package io.p2psync.changes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bytes an entry's hash covers (docs/storage.md, "Entry hash"): the fields origin, version, hlc,
 * timestamp, table, recordId, operation, kind, data, changedColumns, base (canonical JSON), prevHash, in
 * this order, each as a 4-byte big-endian length followed by its UTF-8 bytes; numbers as decimal text;
 * a null field as length -1 with no bytes. An entry whose group continues ({@link ChangeEntry#continues()})
 * has a 13th field, the text {@code continues}; an entry that ends its group has none, so every entry made
 * before groups existed keeps its hash.
 */
final class CanonicalEncoding {

    private CanonicalEncoding() {
    }

    static byte[] encode(String origin, long version, long hlc, long timestamp, RowChange c, VersionVector base,
            String prevHash, boolean continues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (c.data() == null ? 0 : c.data().length()));
        field(out, origin);
        field(out, Long.toString(version));
        field(out, Long.toString(hlc));
        field(out, Long.toString(timestamp));
        field(out, c.table());
        field(out, c.recordId());
        field(out, c.operation().name());
        field(out, c.kind().name());
        field(out, c.data());
        field(out, c.changedColumns());
        field(out, base.toJson());
        field(out, prevHash);
        if (continues) {
            field(out, "continues");
        }
        return out.toByteArray();
    }

    /** SHA-256 of the encoding: 32 bytes. */
    static byte[] digest(String origin, long version, long hlc, long timestamp, RowChange c, VersionVector base,
            String prevHash, boolean continues) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(encode(origin, version, hlc, timestamp, c, base, prevHash,
                    continues));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static void field(ByteArrayOutputStream out, String value) {
        if (value == null) {
            writeInt(out, -1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
