package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of files: takes FILE_CHUNKs in order, from the origin itself or from an authorized device
 * that held the file for this one, each checked (an authorized origin, its signed manifest, the chunk's own
 * SHA-256, the size limit), writes them to {@code <data-dir>/files/partial/<origin>/<id>} (or, for a transfer
 * begun before that layout, on in the file its row names) and, once whole and
 * matching the manifest's SHA-256, moves the file to {@code <data-dir>/files/received/<origin>/<id>/<name>} and
 * answers a signed {@link FileReceipt}. Whoever brings the chunks, the transfer is one row and one file: a chunk
 * at another offset than the next one wanted is answered with that offset, so any sender resumes there, also
 * after a restart.
 */
class FileReceiver {

    private static final Logger log = LoggerFactory.getLogger(FileReceiver.class);

    private final DeviceIdentity identity;
    private final Predicate<PeerId> authorized;
    private final FileTransferRepository transfers;
    private final FileSettings settings;
    private final Path partial;
    private final Path received;
    private final Clock clock;
    /** Transfers heard of since this node started: the first chunk of each begins a session. */
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    /** One chunk of a transfer at a time, whoever brings it. */
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    FileReceiver(DeviceIdentity identity, Predicate<PeerId> authorized, FileTransferRepository transfers,
                 FileSettings settings, Path dataDir, Clock clock) {
        this.identity = identity;
        this.authorized = authorized;
        this.transfers = transfers;
        this.settings = settings;
        this.partial = dataDir.resolve("files").resolve("partial");
        this.received = dataDir.resolve("files").resolve("received");
        this.clock = clock;
    }

    Frame serve(PeerId caller, Frame.WireChunk chunk) {
        FileManifest manifest = chunk.manifest().toDomain();
        if (!manifest.to().equals(identity.deviceId())) {
            return Frame.refused(421, "misdirected", "the file is for " + manifest.to() + ", not this device");
        }
        if (!authorized.test(manifest.from())) {
            return Frame.refused(403, "not-authorized", "the origin " + manifest.from()
                    + " is not an authorized device of this one");
        }
        Chunks.Checked c;
        try {
            c = Chunks.check(chunk, settings.maxFileSize().toBytes());
        } catch (Chunks.Refused e) {
            return e.answer;
        }
        synchronized (locks.computeIfAbsent(c.manifest().from() + "/" + c.manifest().id(), k -> new Object())) {
            return write(c.manifest(), c.offset(), c.data(), caller.equals(c.manifest().from()) ? null : caller);
        }
    }

    private Frame write(FileManifest m, long offset, byte[] data, PeerId relay) {
        long now = clock.millis();
        Path part = partial.resolve(m.from().toString()).resolve(m.id());
        String key = m.from() + "/" + m.id();
        if (!transfers.insert(m, "in", "RECEIVING", part.toString(), now, relay)) {
            FileManifest known = transfers.manifest(m.from(), m.id(), "in").orElseThrow();
            if (known.size() != m.size() || !known.sha256().equals(m.sha256()) || known.chunkSize() != m.chunkSize()) {
                return Frame.refused(409, "id-taken", "another file from " + m.from() + " with id " + m.id()
                        + " is being received");
            }
            // the row says where its bytes are: a transfer begun before the partial path had the origin in it
            // (files/partial/<id>) goes on in that file, from its bytes_done
            part = Path.of(transfers.find(m.from(), m.id(), "in").orElseThrow().file());
        } else {
            log.info("files: receiving {} ({} bytes) from {}{}", m.name(), m.size(), m.from(),
                    relay == null ? "" : " through " + relay);
        }
        String status = transfers.status(m.from(), m.id(), "in");
        if ("COMPLETE".equals(status)) {
            long receivedAt = transfers.receivedAt(m.from(), m.id()).orElse(now);
            return complete(m, receivedAt);
        }
        if (sessions.add(key) || "FAILED".equals(status)) {
            transfers.beginSession(m.from(), m.id(), "in", "RECEIVING", now);
        }
        long done = transfers.bytesDone(m.from(), m.id(), "in");
        if (offset != done) {
            return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false)); // resume there
        }
        try {
            Chunks.write(part, offset, data); // on disk before it is confirmed: a resume after a power cut starts here
            done = offset + data.length;
            transfers.progress(m.from(), m.id(), "in", done, clock.millis());
            if (done < m.size()) {
                return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false));
            }
            String whole = Chunks.sha256(part);
            if (!whole.equals(m.sha256())) {
                Files.deleteIfExists(part);
                transfers.progress(m.from(), m.id(), "in", 0, clock.millis());
                transfers.status(m.from(), m.id(), "in", "FAILED", "the whole file's SHA-256 is " + whole + ", not "
                        + m.sha256(), clock.millis());
                log.warn("files: {} from {} did not match its SHA-256; it starts again", m.id(), m.from());
                return Frame.refused(422, "hash-mismatch", "the whole file does not match its SHA-256; send it again from 0");
            }
            Path target = received.resolve(m.from().toString()).resolve(m.id()).resolve(m.name());
            Files.createDirectories(target.getParent());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long at = clock.millis();
            FileReceipt receipt = FileReceipt.sign(identity, m, at);
            transfers.complete(m.from(), m.id(), "in", "COMPLETE", m.size(), target.toString(), relay, receipt, at);
            log.info("files: received {} ({} bytes, SHA-256 {}) from {}{} into {}", m.name(), m.size(), m.sha256(),
                    m.from(), relay == null ? "" : " through " + relay, target);
            return complete(m, at);
        } catch (IOException e) {
            log.warn("files: cannot write {}: {}", part, e.toString());
            return Frame.refused(507, "cannot-write", "this device cannot write the file: " + e.getMessage());
        }
    }

    /** The answer for a whole file: complete, with this device's signed receipt. */
    private Frame complete(FileManifest m, long receivedAt) {
        return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true,
                Frame.WireReceipt.of(FileReceipt.sign(identity, m, receivedAt))));
    }

    static String sha256(byte[] data) {
        return Chunks.sha256(data);
    }
}
