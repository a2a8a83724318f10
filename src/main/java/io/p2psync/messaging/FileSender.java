package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of files: keeps the file under {@code <data-dir>/files/outgoing/<id>}, reaches the target
 * as messages do (open connection, route cache, PEER_QUERY, registry), and sends FILE_CHUNKs one after another
 * from the offset the target asks for, so a transfer cut half way (either side stopped, the link down) resumes
 * where it stopped: when the target connects again, or at the next retry.
 */
public class FileSender {

    private static final Logger log = LoggerFactory.getLogger(FileSender.class);

    private final DeviceIdentity identity;
    private final Predicate<PeerId> authorized;
    private final FileTransferRepository transfers;
    private final MessageProtocol protocol;
    private final Courier courier;
    private final FileSettings settings;
    private final MessagingSettings messaging;
    private final Supplier<Optional<Host>> host;
    private final ExecutorService workers;
    private final Path outgoing;
    private final Clock clock;
    /** Transfers being sent now: one sender per transfer. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    FileSender(DeviceIdentity identity, Predicate<PeerId> authorized, FileTransferRepository transfers,
               MessageProtocol protocol, Courier courier, FileSettings settings, MessagingSettings messaging,
               Supplier<Optional<Host>> host, ExecutorService workers, Path dataDir, Clock clock) {
        this.identity = identity;
        this.authorized = authorized;
        this.transfers = transfers;
        this.protocol = protocol;
        this.courier = courier;
        this.settings = settings;
        this.messaging = messaging;
        this.host = host;
        this.workers = workers;
        this.outgoing = dataDir.resolve("files").resolve("outgoing");
        this.clock = clock;
    }

    /**
     * Keeps {@code body} as a new transfer to {@code to} and starts sending it in the background.
     *
     * @param name the file's name at the target; null for the transfer id
     * @throws Messenger.Refused if the target is not an authorized device, the name is unsafe, or the body is
     *     larger than {@code p2psync.files.max-file-size} (nothing is kept then)
     */
    public FileTransfer send(String to, String name, InputStream body) throws IOException {
        PeerId target;
        try {
            target = PeerId.parse(to);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Messenger.Refused(400, "malformed", "\"to\" is not a device id");
        }
        if (target.equals(identity.deviceId()) || !authorized.test(target)) {
            throw new Messenger.Refused(422, "not-authorized", target + " is not another authorized device of this one");
        }
        String id = UUID.randomUUID().toString();
        String fileName = name == null || name.isBlank() ? id : name;
        if (!FileManifest.safeName(fileName)) {
            throw new Messenger.Refused(400, "malformed", "a file name has no '/', '\\', NUL or '..' and at most 255 characters");
        }
        Files.createDirectories(outgoing);
        Path file = outgoing.resolve(id);
        long max = settings.maxFileSize().toBytes();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                size += n;
                if (size > max) {
                    throw new Messenger.Refused(413, "too-large", "the file is larger than the " + max
                            + " bytes allowed (p2psync.files.max-file-size)");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        FileManifest m = FileManifest.sign(identity, id, target, fileName, size, HexFormat.of().formatHex(sha.digest()),
                (int) settings.chunkSize().toBytes());
        transfers.insert(m, "out", "PENDING", file.toString(), clock.millis());
        log.info("files: sending {} ({} bytes) to {} as {}", fileName, size, target, id);
        dispatch(id);
        return transfers.find(id, "out").orElseThrow();
    }

    public Optional<FileTransfer> find(String id) {
        return transfers.find(id);
    }

    public java.util.List<FileTransfer> list(int limit, int offset) {
        if (limit < 1 || limit > Messenger.MAX_PAGE || offset < 0) {
            throw new Messenger.Refused(400, "bad-page", "limit is 1.." + Messenger.MAX_PAGE + " and offset 0 or more");
        }
        return transfers.list(limit, offset);
    }

    void dispatch(String id) {
        try {
            workers.execute(() -> {
                try {
                    transfer(id);
                } catch (RuntimeException e) {
                    log.warn("files: sending {} failed", id, e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("files: not sending {} now: shutting down or busy", id);
        }
    }

    /** Resumes every unfinished transfer to {@code to} (all if null). */
    void resume(PeerId to) {
        transfers.unfinished(to).forEach(this::dispatch);
    }

    private void transfer(String id) {
        if (!sending.add(id)) {
            return;
        }
        try {
            FileManifest m = transfers.manifest(id, "out").orElseThrow();
            Host h = host.get().orElse(null);
            if (h == null || !courier.reach(h, m.to())) {
                transfers.status(id, "out", "INTERRUPTED", m.to() + " is not reachable now; sent when it is", clock.millis());
                return;
            }
            Path file = Path.of(transfers.find(id, "out").orElseThrow().file());
            transfers.beginSession(id, "out", "SENDING", clock.millis());
            long next = transfers.bytesDone(id, "out");
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                Frame.WireManifest manifest = Frame.WireManifest.of(m);
                while (true) {
                    if (next > m.size()) {
                        next = m.size();
                    }
                    byte[] data = new byte[m.chunkLength(next)];
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    while (buffer.hasRemaining()) {
                        if (in.read(buffer, next + buffer.position()) < 0) {
                            throw new IOException("the file " + file + " is shorter than its manifest");
                        }
                    }
                    Frame answer = protocol.call(h, m.to(), Frame.chunk(new Frame.WireChunk(manifest, next,
                            Base64.getEncoder().encodeToString(data), FileReceiver.sha256(data))),
                            messaging.answerTimeout()).get();
                    if (answer.type() == MessageType.REFUSED) {
                        Frame.Refusal r = answer.refusal();
                        log.warn("files: {} refused {} at {}: {} {}", m.to(), id, next, r.status(), r.detail());
                        if (r.status() == 422) { // the whole did not match: start again
                            transfers.progress(id, "out", 0, clock.millis());
                        }
                        transfers.status(id, "out", "INTERRUPTED", r.reason() + ": " + r.detail(), clock.millis());
                        return;
                    }
                    if (answer.type() != MessageType.CHUNK_ACK || !id.equals(answer.next().id())) {
                        transfers.status(id, "out", "INTERRUPTED", "an answer that is no CHUNK_ACK", clock.millis());
                        return;
                    }
                    Frame.ChunkAck ack = answer.next();
                    next = ack.next();
                    if (ack.complete()) {
                        // the target holds it, checked by SHA-256: the sender's copy has done its job
                        transfers.complete(id, "out", m.size(), file.toString(), clock.millis());
                        try {
                            Files.deleteIfExists(file);
                        } catch (IOException e) {
                            log.warn("files: could not remove the sent copy {}: {}", file, e.toString());
                        }
                        log.info("files: {} ({} bytes) delivered to {}", m.name(), m.size(), m.to());
                        return;
                    }
                    transfers.progress(id, "out", next, clock.millis());
                }
            }
        } catch (ExecutionException e) {
            log.info("files: sending {} was cut: {}; it resumes when the target is back", id, e.getCause().toString());
            transfers.status(id, "out", "INTERRUPTED", String.valueOf(e.getCause()), clock.millis());
        } catch (IOException e) {
            log.warn("files: cannot read the file of {}: {}", id, e.toString());
            transfers.status(id, "out", "INTERRUPTED", e.toString(), clock.millis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sending.remove(id);
        }
    }
}
