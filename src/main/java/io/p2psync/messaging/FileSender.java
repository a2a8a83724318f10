package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * where it stopped: when the target connects again, or at the next retry. A target that cannot be reached gets
 * the file through relays: it is handed whole to connected devices that hold it for the target
 * ({@link FileRelay}), and the target's signed receipt, carried back by one of them, completes it.
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
    /** Transfers whose attempt failed and that wait to be tried again. */
    private final Set<String> retries = ConcurrentHashMap.newKeySet();
    /** Failed attempts in a row, per transfer: the retry delay doubles with each. */
    private final ConcurrentHashMap<String, Integer> failures = new ConcurrentHashMap<>();
    private final ChunkPusher pusher;

    /** How soon a transfer whose attempt broke on an unexpected error is tried again the first time. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

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
        this.pusher = new ChunkPusher(protocol, messaging.answerTimeout());
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
        transfers.insert(m, "out", "PENDING", file.toString(), clock.millis(), null);
        log.info("files: sending {} ({} bytes) to {} as {}", fileName, size, target, id);
        dispatch(id);
        return transfers.find(self(), id, "out").orElseThrow();
    }

    public Optional<FileTransfer> find(String id) {
        return find(id, null);
    }

    /**
     * The transfer sent from here with {@code id}, else the latest received under it.
     *
     * @param from its origin's device id, or null for any (two senders may choose the same id)
     */
    public Optional<FileTransfer> find(String id, String from) {
        PeerId origin = null;
        if (from != null) {
            try {
                origin = PeerId.parse(from);
            } catch (IllegalArgumentException e) {
                throw new Messenger.Refused(400, "malformed", "\"from\" is not a device id: " + e.getMessage());
            }
        }
        return transfers.find(id, origin);
    }

    public java.util.List<FileTransfer> list(int limit, int offset) {
        if (limit < 1 || limit > Messenger.MAX_PAGE || offset < 0) {
            throw new Messenger.Refused(400, "bad-page", "limit is 1.." + Messenger.MAX_PAGE + " and offset 0 or more");
        }
        return transfers.list(limit, offset);
    }

    void dispatch(String id) {
        try {
            workers.execute(() -> run(id));
        } catch (RejectedExecutionException stopping) {
            log.debug("files: not sending {} now: shutting down or busy", id);
        }
    }

    /**
     * One attempt at a transfer. Whatever breaks it (a database error, a bug) is logged with the transfer, shown
     * on it as {@code INTERRUPTED} with the error when the database lets that be written, and the transfer is
     * tried again after {@link #RETRY_AFTER_FAILURE}, doubling on each failure in a row up to
     * {@code retry-interval}, rather than waiting, stuck as {@code SENDING}, for a connect or the next retry pass.
     */
    private void run(String id) {
        try {
            transfer(id);
            failures.remove(id);
        } catch (RuntimeException e) {
            int inARow = failures.merge(id, 1, Integer::sum);
            Duration delay = RETRY_AFTER_FAILURE.multipliedBy(1L << Math.min(inARow - 1, 16));
            if (delay.compareTo(messaging.retryInterval()) > 0) {
                delay = messaging.retryInterval();
            }
            log.warn("files: sending {} failed ({} in a row); it is tried again in {}", id, inARow, delay, e);
            try {
                transfers.status(self(), id, "out", "INTERRUPTED", "failed: " + e, clock.millis());
            } catch (RuntimeException again) {
                log.warn("files: cannot record that sending {} failed: {}", id, again.toString());
            }
            retryLater(id, delay);
        }
    }

    private void retryLater(String id, Duration delay) {
        if (!retries.add(id)) {
            return;
        }
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            retries.remove(id);
            dispatch(id);
        });
    }

    /** Resumes every unfinished transfer to {@code to} (all if null). */
    void resume(PeerId to) {
        transfers.unfinished(to).forEach(this::dispatch);
    }

    /**
     * A target's receipt of a whole file, carried back by the relay that handed it over: the transfer is
     * complete, through that relay, and the sender's copy goes.
     *
     * @return the frame to answer: the receipt echoed, or a refusal
     */
    Frame receipt(PeerId caller, FileReceipt receipt) {
        if (!receipt.to().equals(self())) {
            return Frame.refused(421, "misdirected", "the receipt is for " + receipt.to() + ", not this device");
        }
        Optional<FileManifest> m = transfers.manifest(self(), receipt.id(), "out");
        if (m.isEmpty()) {
            return Frame.refused(404, "unknown-file", "this device sent no file " + receipt.id());
        }
        if (!receipt.acknowledges(m.get())) {
            return Frame.refused(401, "bad-signature", "the receipt is not " + m.get().to() + "'s of file " + receipt.id());
        }
        delivered(m.get(), receipt, caller.equals(m.get().to()) ? null : caller);
        return Frame.receipt(receipt);
    }

    /** Records that the target has the whole file (a second receipt changes nothing) and drops the sent copy. */
    private void delivered(FileManifest m, FileReceipt receipt, PeerId via) {
        FileTransfer t = transfers.find(self(), m.id(), "out").orElseThrow();
        if ("COMPLETE".equals(t.status())) {
            return;
        }
        transfers.complete(self(), m.id(), "out", "COMPLETE", m.size(), t.file(), via, receipt, clock.millis());
        try {
            Files.deleteIfExists(Path.of(t.file()));
        } catch (IOException e) {
            log.warn("files: could not remove the sent copy {}: {}", t.file(), e.toString());
        }
        log.info("files: {} ({} bytes) delivered to {}{}", m.name(), m.size(), m.to(), via == null ? "" : " through " + via);
    }

    private PeerId self() {
        return identity.deviceId();
    }

    private void transfer(String id) {
        if (!sending.add(id)) {
            return;
        }
        try {
            FileManifest m = transfers.manifest(self(), id, "out").orElseThrow();
            FileTransfer t = transfers.find(self(), id, "out").orElseThrow();
            if ("COMPLETE".equals(t.status())) {
                return;
            }
            Host h = host.get().orElse(null);
            if (h == null) {
                if (!"STORED".equals(t.status())) {
                    transfers.status(self(), id, "out", "INTERRUPTED", "the libp2p host is not running", clock.millis());
                }
                return;
            }
            if (!courier.reach(h, m.to())) {
                if (!"STORED".equals(t.status())) {
                    store(h, m, t);
                }
                return;
            }
            Path file = Path.of(t.file());
            boolean stored = "STORED".equals(t.status());
            transfers.beginSession(self(), id, "out", "SENDING", clock.millis());
            long from = transfers.bytesDone(self(), id, "out");
            ChunkPusher.Outcome outcome = pusher.push(h, m.to(), MessageType.FILE_CHUNK, m, file, from,
                    at -> transfers.progress(self(), id, "out", at, clock.millis()));
            String after = stored ? "STORED" : "INTERRUPTED"; // relays still hold it: it stays STORED
            if (outcome instanceof ChunkPusher.Outcome.Complete done) {
                // the target holds it, checked by SHA-256: the sender's copy has done its job
                delivered(m, done.receipt(), null);
            } else if (outcome instanceof ChunkPusher.Outcome.Refused r) {
                log.warn("files: {} refused {} at {}: {} {}", m.to(), id, r.offset(), r.refusal().status(),
                        r.refusal().detail());
                if (r.refusal().status() == 422) { // the whole did not match: start again
                    transfers.progress(self(), id, "out", 0, clock.millis());
                }
                transfers.status(self(), id, "out", after, r.refusal().reason() + ": " + r.refusal().detail(), clock.millis());
            } else if (outcome instanceof ChunkPusher.Outcome.Cut cut) {
                log.info("files: sending {} was cut at {}: {}; it resumes when the target is back", id, cut.offset(), cut.why());
                transfers.status(self(), id, "out", after, cut.why(), clock.millis());
            }
        } catch (IOException e) {
            log.warn("files: cannot read the file of {}: {}", id, e.toString());
            transfers.status(self(), id, "out", "INTERRUPTED", e.toString(), clock.millis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sending.remove(id);
        }
    }

    /**
     * The target cannot be reached: hands the whole file to up to {@code relay-copies} connected authorized devices
     * (STORE_FILE_CHUNK, each resuming where that device's bytes end). STORED once one holds it whole; otherwise
     * it stays INTERRUPTED, and waits here.
     */
    private void store(Host h, FileManifest m, FileTransfer t) throws IOException, InterruptedException {
        transfers.status(self(), m.id(), "out", "INTERRUPTED", m.to() + " is not reachable now; sent when it is",
                clock.millis());
        List<String> holders = new ArrayList<>();
        for (PeerId relay : courier.relayCandidates(h, m.to())) {
            if (holders.size() >= messaging.relayCopies()) {
                break;
            }
            ChunkPusher.Outcome outcome = pusher.push(h, relay, MessageType.STORE_FILE_CHUNK, m, Path.of(t.file()), 0,
                    at -> { });
            if (outcome instanceof ChunkPusher.Outcome.Complete) {
                holders.add(relay.toString());
            } else {
                log.info("files: {} did not take {} to hold: {}", relay, m.id(), outcome);
            }
        }
        if (!holders.isEmpty()) {
            transfers.markStored(m.id(), self(), String.join(",", holders), clock.millis());
            log.info("files: {} is offline; {} held by {}", m.to(), m.id(), holders);
        }
    }
}
