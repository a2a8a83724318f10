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

    /** One digest per thread: sealing a batch hashes every entry, and looking SHA-256 up costs as much as a short hash. */
    private static final ThreadLocal<MessageDigest> SHA = ThreadLocal.withInitial(CanonicalEncoding::sha256);

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

    /**
     * SHA-256 of the encoding: 32 bytes. The fields go into the digest one by one, as {@link #encode} lays them
     * out, without building the encoding first.
     */
    static byte[] digest(String origin, long version, long hlc, long timestamp, RowChange c, VersionVector base,
            String prevHash, boolean continues) {
        MessageDigest sha = SHA.get();
        sha.reset();
        byte[] length = new byte[4];
        field(sha, length, origin);
        field(sha, length, Long.toString(version));
        field(sha, length, Long.toString(hlc));
        field(sha, length, Long.toString(timestamp));
        field(sha, length, c.table());
        field(sha, length, c.recordId());
        field(sha, length, c.operation().name());
        field(sha, length, c.kind().name());
        field(sha, length, c.data());
        field(sha, length, c.changedColumns());
        field(sha, length, base.toJson());
        field(sha, length, prevHash);
        if (continues) {
            field(sha, length, "continues");
        }
        return sha.digest();
    }

    private static void field(MessageDigest sha, byte[] length, String value) {
        if (value == null) {
            sha.update(int32(length, -1));
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update(int32(length, bytes.length));
        sha.update(bytes);
    }

    private static byte[] int32(byte[] out, int v) {
        out[0] = (byte) (v >>> 24);
        out[1] = (byte) (v >>> 16);
        out[2] = (byte) (v >>> 8);
        out[3] = (byte) v;
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
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
