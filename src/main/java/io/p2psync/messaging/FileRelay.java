package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store and forward of files, the holder's side: takes STORE_FILE_CHUNKs from a file's origin for an authorized
 * device that is offline, each checked as the target would check it, into
 * {@code <data-dir>/files/relay/<origin>/<id>}; counts every file it takes in, whole or in part, against
 * {@code p2psync.files.relay-quota} for its target before the first byte is written, so it never holds more;
 * checks the whole file's SHA-256 before it answers {@code complete}. When the target connects it hands the
 * file on as FILE_CHUNKs from the offset the target asks for, and carries the target's signed receipt back to
 * the origin (FILE_RECEIPT) at once or when it next meets it. Held copies go once the target's receipt is here,
 * or after {@code p2psync.messaging.retention}.
 */
class FileRelay {

    private static final Logger log = LoggerFactory.getLogger(FileRelay.class);
    /** Refusals of a receipt that no retry changes; see {@link #refusedForGood}. */

    private final Predicate<PeerId> authorized;
    private final FileTransferRepository transfers;
    private final FileSettings settings;
    private final MessagingSettings messaging;
    private final ChunkPusher pusher;
    private final MessageProtocol protocol;
    private final Supplier<Optional<Host>> host;
    private final ExecutorService workers;
    private final Path held;
    private final Clock clock;
    /** One chunk of a held file at a time; quota checks and new files one at a time. */
    private final Object intake = new Object();
    /** One hand-on of held files per target at a time; one asked for meanwhile makes it look again. */
    private final OneRunPerPeer handOns = new OneRunPerPeer();

    FileRelay(Predicate<PeerId> authorized, FileTransferRepository transfers, FileSettings settings,
              MessagingSettings messaging, MessageProtocol protocol, Supplier<Optional<Host>> host,
              ExecutorService workers, Path dataDir, Clock clock) {
        this.authorized = authorized;
        this.transfers = transfers;
        this.settings = settings;
        this.messaging = messaging;
        this.protocol = protocol;
        this.pusher = new ChunkPusher(protocol, messaging.answerTimeout());
        this.host = host;
        this.workers = workers;
        this.held = dataDir.resolve("files").resolve("relay");
        this.clock = clock;
    }

    /** A STORE_FILE_CHUNK from {@code caller}, an authorized device. */
    Frame serve(PeerId caller, Frame.WireChunk chunk) {
        FileManifest manifest = chunk.manifest().toDomain();
        if (!caller.equals(manifest.from())) {
            return refuse(caller, 403, "not-authorized", "a file is handed to a relay by its origin only, not by " + caller);
        }
        if (!authorized.test(manifest.to())) {
            return refuse(caller, 403, "not-authorized", "the target " + manifest.to() + " is not an authorized device of this one");
        }
        long quota = settings.relayQuota().toBytes();
        if (manifest.size() > quota) {
            return refuse(caller, 507, "quota", "the file has " + manifest.size() + " bytes, more than the " + quota
                    + " this device holds for one device (p2psync.files.relay-quota)");
        }
        Chunks.Checked c;
        try {
            c = Chunks.check(chunk, settings.maxFileSize().toBytes());
        } catch (Chunks.Refused e) {
            log.info("files: refused a chunk to hold from {}: {}", caller, e.getMessage());
            return e.answer;
        }
        FileManifest m = c.manifest();
        synchronized (intake) {
            Path part = held.resolve(m.from().toString()).resolve(m.id());
            String status = transfers.status(m.from(), m.id(), "relay");
            if (status == null) {
                // the whole size counts against the quota from the first chunk on: a relay never holds more
                long holding = transfers.heldBytesFor(m.to());
                if (holding + m.size() > quota) {
                    return refuse(caller, 507, "quota", "this device holds " + holding + " bytes of files for " + m.to()
                            + " already; " + m.size() + " more pass the " + quota + " allowed (p2psync.files.relay-quota)");
                }
                transfers.insert(m, "relay", "HOLDING", part.toString(), clock.millis(), caller);
                transfers.beginSession(m.from(), m.id(), "relay", "HOLDING", clock.millis());
                log.info("files: holding {} ({} bytes) from {} for {}", m.id(), m.size(), m.from(), m.to());
            } else {
                FileManifest known = transfers.manifest(m.from(), m.id(), "relay").orElseThrow();
                if (known.size() != m.size() || !known.sha256().equals(m.sha256()) || known.chunkSize() != m.chunkSize()
                        || !known.to().equals(m.to())) {
                    return refuse(caller, 409, "id-taken", "another file from " + m.from() + " with id " + m.id()
                            + " is held here");
                }
                if (!"HOLDING".equals(status)) {
                    return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true)); // held whole, or handed on already
                }
            }
            long done = transfers.bytesDone(m.from(), m.id(), "relay");
            if (c.offset() != done) {
                return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false));
            }
            try {
                Chunks.write(part, c.offset(), c.data());
                done = c.offset() + c.data().length;
                if (!transfers.progress(m.from(), m.id(), "relay", done, clock.millis())) {
                    // the row went (expired) while the chunk was written: what is on disk would count nowhere
                    Files.deleteIfExists(part);
                    return refuse(caller, 410, "gone", "file " + m.id() + " is no longer held here; send it again");
                }
                if (done < m.size()) {
                    return Frame.chunkAck(new Frame.ChunkAck(m.id(), done, false));
                }
                String whole = Chunks.sha256(part);
                if (!whole.equals(m.sha256())) {
                    Files.deleteIfExists(part);
                    transfers.delete(m.from(), m.id(), "relay");
                    return refuse(caller, 422, "hash-mismatch", "the whole file does not match its SHA-256; send it again from 0");
                }
                transfers.complete(m.from(), m.id(), "relay", "HELD", m.size(), part.toString(), caller, null, clock.millis());
                log.info("files: holding {} whole ({} bytes) for {}", m.id(), m.size(), m.to());
            } catch (IOException e) {
                log.warn("files: cannot write the held file {}: {}", part, e.toString());
                return refuse(caller, 507, "cannot-write", "this device cannot write the file: " + e.getMessage());
            }
        }
        forward(m.to());
        return Frame.chunkAck(new Frame.ChunkAck(m.id(), m.size(), true));
    }

    /** Hands the files held for {@code target} on, if connected to it, and returns receipts to {@code target}, in the background. */
    void forward(PeerId target) {
        try {
            workers.execute(() -> {
                try {
                    handOn(target);
                    returnReceipts(target);
                } catch (RuntimeException e) {
                    log.warn("files: handing held files to {} failed", target, e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("files: not handing on held files now: shutting down or busy");
        }
    }

    /**
     * The periodic pass: drops what outlived the retention, then hands on what is held for every connected
     * authorized device and returns the receipts held for it, so a hand-on or a receipt that was cut or refused
     * for now is tried again without waiting for the next connect.
     */
    void retry() {
        expire();
        Host h = host.get().orElse(null);
        if (h == null) {
            return;
        }
        for (PeerId peer : h.connectedPeers()) {
            if (authorized.test(peer)) {
                forward(peer);
            }
        }
    }

    /**
     * One hand-on per target at a time. A call while one runs makes the running one look again once it is done,
     * so a file held whole meanwhile is not left waiting for the next connect.
     */
    private void handOn(PeerId target) {
        Host h = host.get().orElse(null);
        if (h != null && h.isConnected(target)) {
            handOns.run(target, () -> handOnAll(h, target));
        }
    }

    /**
     * Pushes each file held for {@code target}, looking again until a look finds none not tried in this pass: a
     * file the target refuses is tried once a pass, not over and over.
     */
    private void handOnAll(Host h, PeerId target) {
        Set<String> tried = new HashSet<>();
        while (true) {
            List<FileManifest> fresh = transfers.heldFor(target).stream()
                    .filter(m -> !tried.contains(m.from() + "/" + m.id()))
                    .toList();
            if (fresh.isEmpty()) {
                return;
            }
            for (FileManifest m : fresh) {
                tried.add(m.from() + "/" + m.id());
                if (!h.isConnected(target)) {
                    return; // the next connect, or the retry pass, hands on the rest
                }
                try {
                    handOn(h, target, m);
                } catch (IOException e) {
                    log.warn("files: cannot read the held file {} for {}: {}", m.id(), target, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void handOn(Host h, PeerId target, FileManifest m) throws IOException, InterruptedException {
        Optional<FileTransfer> row = transfers.find(m.from(), m.id(), "relay");
        if (row.isEmpty()) {
            return; // expired meanwhile
        }
        Path file = Path.of(row.get().file());
        ChunkPusher.Outcome outcome = pusher.push(h, target, MessageType.FILE_CHUNK, m, file, 0, at -> { });
        if (outcome instanceof ChunkPusher.Outcome.Complete done && done.receipt() != null) {
            if (transfers.markRelayDelivered(done.receipt(), clock.millis())) {
                Files.deleteIfExists(file);
                log.info("files: handed held file {} to {}; its receipt goes back to {}", m.id(), target, m.from());
                returnReceipts(m.from());
            }
        } else {
            log.info("files: {} did not take held file {} (tried again on the next connect or retry pass): {}",
                    target, m.id(), outcome);
        }
    }

    /**
     * Carries the receipts held for {@code origin} back to it, if connected. A receipt is kept until the origin
     * takes it or refuses it for good (see {@link #refusedForGood}); a refusal for now (503 starting or busy, 500,
     * 429) leaves it for the next connect or retry pass.
     */
    private void returnReceipts(PeerId origin) {
        Host h = host.get().orElse(null);
        if (h == null || !h.isConnected(origin)) {
            return;
        }
        for (FileReceipt receipt : transfers.receiptsFor(origin)) {
            try {
                Frame answer = protocol.call(h, origin, Frame.receipt(receipt), messaging.answerTimeout()).get();
                if (answer.type() == MessageType.FILE_RECEIPT
                        || answer.type() == MessageType.REFUSED && refusedForGood(answer.refusal())) {
                    transfers.markReturned(receipt);
                } else {
                    log.info("files: {} did not take the receipt of {} now; it is kept to try again: {}", origin,
                            receipt.id(), answer.type() == MessageType.REFUSED ? answer.refusal() : answer.type());
                }
            } catch (ExecutionException e) {
                log.info("files: returning the receipt of {} to {} failed: {}", receipt.id(), origin, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Whether an origin's refusal of a receipt holds for good: malformed (400), not a receipt of its file (401),
     * a file it never sent (404), or not meant for it (421). Anything else (403 while authorization may change,
     * 429, any 5xx) may pass later.
     */
    static boolean refusedForGood(Frame.Refusal refusal) {
        return refusal != null && refusal.isFinal();
    }

    /**
     * Drops held files that outlived {@code p2psync.messaging.retention}; answers how many. Each under the intake
     * lock, so that no chunk is being written into a file whose row goes.
     */
    int expire() {
        long cutoff = clock.millis() - messaging.retention().toMillis();
        int n = 0;
        for (FileTransfer t : transfers.heldBefore(cutoff)) {
            synchronized (intake) {
                try {
                    Files.deleteIfExists(Path.of(t.file()));
                } catch (IOException e) {
                    log.warn("files: cannot remove the expired held file {}: {}", t.file(), e.toString());
                }
                transfers.delete(PeerId.parse(t.from()), t.id(), "relay");
            }
            n++;
        }
        if (n > 0) {
            log.info("files: dropped {} held files that outlived p2psync.messaging.retention", n);
        }
        return n;
    }

    private Frame refuse(PeerId caller, int status, String reason, String detail) {
        log.info("files: refused a STORE_FILE_CHUNK from {}: {} {}: {}", caller, status, reason, detail);
        return Frame.refused(status, reason, detail);
    }
}
