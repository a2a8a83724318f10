package io.p2psync.messaging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What the target of a file and a relay holding it both do with a FILE_CHUNK: check it on its own, and write it
 * at its offset so that what was confirmed is on disk.
 */
final class Chunks {

    private Chunks() {
    }

    /** A chunk that passed {@link #check}: its manifest verified, its bytes decoded and matching their hash. */
    record Checked(FileManifest manifest, long offset, byte[] data) {
    }

    /** Why a chunk is refused: the {@code REFUSED} frame to answer. */
    static final class Refused extends Exception {
        final transient Frame answer;

        Refused(int status, String reason, String detail) {
            super(reason + ": " + detail, null, false, false);
            this.answer = Frame.refused(status, reason, detail);
        }
    }

    /**
     * Checks a chunk on its own: the manifest's size against {@code maxFileSize}, its signature by its origin,
     * the data (base64) of the length the manifest gives for its offset, and the data's SHA-256.
     *
     * @throws IllegalArgumentException if the manifest is malformed
     */
    static Checked check(Frame.WireChunk chunk, long maxFileSize) throws Refused {
        FileManifest m = chunk.manifest().toDomain();
        if (m.size() > maxFileSize) {
            throw new Refused(413, "too-large", "the file has " + m.size() + " bytes, more than the " + maxFileSize
                    + " allowed (p2psync.files.max-file-size)");
        }
        if (!m.verifies()) {
            throw new Refused(401, "bad-signature", "the manifest of " + m.id() + " is not signed by " + m.from());
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(chunk.data());
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "malformed", "the chunk's data is not base64");
        }
        if (chunk.offset() < 0 || chunk.offset() > m.size() || data.length != m.chunkLength(chunk.offset())) {
            throw new Refused(400, "malformed", "a chunk at " + chunk.offset() + " of a " + m.size()
                    + "-byte file in chunks of " + m.chunkSize() + " has " + m.chunkLength(Math.max(0, chunk.offset()))
                    + " bytes, not " + data.length);
        }
        if (!sha256(data).equals(chunk.sha256())) {
            throw new Refused(400, "chunk-mismatch", "the chunk at " + chunk.offset() + " does not match its SHA-256");
        }
        return new Checked(m, chunk.offset(), data);
    }

    /**
     * Writes {@code data} at {@code offset} of {@code part}, drops whatever lay past it (a write cut before it
     * was confirmed), and forces it to disk before the caller confirms it.
     */
    static void write(Path part, long offset, byte[] data) throws IOException {
        Files.createDirectories(part.getParent());
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long at = offset;
            while (buffer.hasRemaining()) {
                at += out.write(buffer, at);
            }
            out.truncate(offset + data.length);
            out.force(false);
        }
    }

    /** Reads the chunk at {@code offset} of a file of {@code m}. */
    static Frame.WireChunk read(FileChannel in, FileManifest m, Frame.WireManifest wire, long offset) throws IOException {
        byte[] data = new byte[m.chunkLength(offset)];
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("the file of " + m.id() + " is shorter than its manifest");
            }
        }
        return new Frame.WireChunk(wire, offset, Base64.getEncoder().encodeToString(data), sha256(data));
    }

    static String sha256(byte[] data) {
        return SignedMessage.sha256Hex(data);
    }

    static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
