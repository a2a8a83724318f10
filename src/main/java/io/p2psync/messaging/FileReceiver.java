package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of files: takes FILE_CHUNKs in order, each checked (an authorized origin that sent it
 * itself, its signed manifest, the chunk's own SHA-256, the size limit), writes them to
 * {@code <data-dir>/files/partial/<id>} and, once whole and matching the manifest's SHA-256, moves the file to
 * {@code <data-dir>/files/received/<id>/<name>}. What was written survives a restart: a chunk at another offset
 * than the next one wanted is answered with that offset, so the sender resumes there.
 */
class FileReceiver {

    private static final Logger log = LoggerFactory.getLogger(FileReceiver.class);

    private final PeerId self;
    private final Predicate<PeerId> authorized;
    private final FileTransferRepository transfers;
    private final FileSettings settings;
    private final Path partial;
    private final Path received;
    private final Clock clock;
    /** Transfers heard of since this node started: the first chunk of each begins a session. */
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    /** One chunk of a transfer at a time. */
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    FileReceiver(PeerId self, Predicate<PeerId> authorized, FileTransferRepository transfers, FileSettings settings,
                 Path dataDir, Clock clock) {
        this.self = self;
        this.authorized = authorized;
        this.transfers = transfers;
        this.settings = settings;
        this.partial = dataDir.resolve("files").resolve("partial");
        this.received = dataDir.resolve("files").resolve("received");
        this.clock = clock;
    }

    Frame serve(PeerId caller, Frame.WireChunk chunk) {
        FileManifest m = chunk.manifest().toDomain();
        if (!m.to().equals(self)) {
            return Frame.refused(421, "misdirected", "the file is for " + m.to() + ", not this device");
        }
        if (!caller.equals(m.from())) {
            return Frame.refused(403, "not-authorized", "a file comes from its origin only, not through " + caller);
        }
        if (m.size() > settings.maxFileSize().toBytes()) {
            return Frame.refused(413, "too-large", "the file has " + m.size() + " bytes, more than the "
                    + settings.maxFileSize().toBytes() + " allowed (p2psync.files.max-file-size)");
        }
        if (!m.verifies()) {
            return Frame.refused(401, "bad-signature", "the manifest of " + m.id() + " is not signed by " + m.from());
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(chunk.data());
        } catch (IllegalArgumentException e) {
            return Frame.refused(400, "malformed", "the chunk's data is not base64");
        }
        if (chunk.offset() < 0 || chunk.offset() > m.size() || data.length != m.chunkLength(chunk.offset())) {
            return Frame.refused(400, "malformed", "a chunk at " + chunk.offset() + " of a " + m.size()
                    + "-byte file in chunks of " + m.chunkSize() + " has " + m.chunkLength(Math.max(0, chunk.offset()))
                    + " bytes, not " + data.length);
        }
        if (!sha256(data).equals(chunk.sha256())) {
            return Frame.refused(400, "chunk-mismatch", "the chunk at " + chunk.offset() + " does not match its SHA-256");
        }
        synchronized (locks.computeIfAbsent(m.id(), k -> new Object())) {
            return write(m, chunk.offset(), data);
        }
    }

    private Frame write(FileManifest m, long offset, byte[] data) {
        long now = clock.millis();
        Path part = partial.resolve(m.id());
        if (!transfers.insert(m, "in", "RECEIVING", part.toString(), now)) {
            FileManifest known = transfers.manifest(m.id(), "in").orElseThrow();
            if (!known.from().equals(m.from()) || known.size() != m.size() || !known.sha256().equals(m.sha256())
                    || known.chunkSize() != m.chunkSize()) {
                return Frame.refused(409, "id-taken", "another file with id " + m.id() + " is being received");
            }
        } else {
            log.info("files: receiving {} ({} bytes) from {}", m.name(), m.size(), m.from());
        }
        String status = transfers.status(m.id(), "in");
        if ("COMPLETE".equals(status)) {
            return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true));
        }
        if (sessions.add(m.id()) || "FAILED".equals(status)) {
            transfers.beginSession(m.id(), "in", "RECEIVING", now);
        }
        long done = transfers.bytesDone(m.id(), "in");
        if (offset != done) {
            return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false)); // resume there
        }
        try {
            Files.createDirectories(partial);
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                long at = offset;
                while (buffer.hasRemaining()) {
                    at += out.write(buffer, at);
                }
                out.truncate(offset + data.length); // bytes past what was confirmed (a cut write) go
                out.force(false); // on disk before it is confirmed: a resume after a power cut starts from here
            }
            done = offset + data.length;
            transfers.progress(m.id(), "in", done, clock.millis());
            if (done < m.size()) {
                return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false));
            }
            String whole = sha256(part);
            if (!whole.equals(m.sha256())) {
                Files.deleteIfExists(part);
                transfers.progress(m.id(), "in", 0, clock.millis());
                transfers.status(m.id(), "in", "FAILED", "the whole file's SHA-256 is " + whole + ", not " + m.sha256(),
                        clock.millis());
                log.warn("files: {} from {} did not match its SHA-256; it starts again", m.id(), m.from());
                return Frame.refused(422, "hash-mismatch", "the whole file does not match its SHA-256; send it again from 0");
            }
            Path target = received.resolve(m.id()).resolve(m.name());
            Files.createDirectories(target.getParent());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            transfers.complete(m.id(), "in", m.size(), target.toString(), clock.millis());
            log.info("files: received {} ({} bytes, SHA-256 {}) from {} into {}", m.name(), m.size(), m.sha256(),
                    m.from(), target);
            return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true));
        } catch (IOException e) {
            log.warn("files: cannot write {}: {}", part, e.toString());
            return Frame.refused(507, "cannot-write", "this device cannot write the file: " + e.getMessage());
        }
    }

    static String sha256(byte[] data) {
        return SignedMessage.sha256Hex(data);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            DigestInputStream digest = (DigestInputStream) in;
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
