package io.p2psync.changes;

import io.p2psync.storage.StartupProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps, beside the device key in the data dir, the version and hash of the last entry this device sealed
 * ({@value #FILE}), so that a start on a log that went back is refused before the node signs anything. A file
 * restored from an older copy (a backup, a phone restored from its cloud backup), or another file under the same
 * key, holds fewer of this device's entries than the device signed and sent; the node would then sign new entries
 * under versions it already used, and every device that had the old ones would record a fork of this one and keep
 * the rows apart until a person cleared it (docs/operations.md, "Restoring the file from a backup").
 *
 * <p>The mark is written after commits that stored entries of this device (sealed here, or brought back by a
 * peer), on a thread of its own, at most once per {@value #WRITE_DELAY_MS} ms (the latest head wins; a write is a
 * temporary file moved into place), and once more at shutdown. It never runs ahead of the committed log; after a
 * crash it may lag behind it, which passes the check.
 */
public final class OwnHeadMark implements AutoCloseable {

    static final String FILE = "own-head";
    /** A burst of commits is one write of the mark, this long after the first of them. */
    static final long WRITE_DELAY_MS = 200;

    private static final Logger log = LoggerFactory.getLogger(OwnHeadMark.class);

    private final Path file;
    private final String self;
    private final AtomicReference<ChangeLog.Head> latest = new AtomicReference<>();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "own-head-mark");
        t.setDaemon(true);
        return t;
    });

    /**
     * Checks the file's log against the mark, then keeps the mark from here on.
     *
     * @param dataDir  where the mark lives, beside {@code identity.key}
     * @param self     this device's id
     * @param log      the file's log
     * @param setting  the setting that names the file, and its value, for the message of a refused start
     * @throws StartupProblem if the log holds fewer of this device's entries than the mark, or others
     */
    OwnHeadMark(Path dataDir, String self, ChangeLog log, String setting, String value) {
        this.file = dataDir.resolve(FILE);
        this.self = self;
        ChangeLog.Head head = log.head(self);
        Optional<ChangeLog.Head> mark = read();
        if (mark.isPresent()) {
            check(mark.get(), head, log, setting, value);
        }
        latest.set(head);
        write();
    }

    private void check(ChangeLog.Head mark, ChangeLog.Head head, ChangeLog log, String setting, String value) {
        boolean behind = head.version() < mark.version();
        boolean other = !behind && mark.version() > 0
                && !log.hashOf(self, mark.version()).map(mark.hash()::equalsIgnoreCase).orElse(false);
        if (!behind && !other) {
            return;
        }
        String problem = behind
                ? "its log holds this device's changes up to version " + head.version() + ", but this device has signed"
                        + " up to version " + mark.version() + " (" + file + "): the file was put back to an older copy,"
                        + " or is another file, and new changes signed now would reuse versions the other devices have"
                : "its log holds another version " + mark.version() + " of this device than the one this device signed ("
                        + file + "): it is another file under this device's key";
        String fix = "put back the newest copy of the file; or go on from this one as a new device: move "
                + file.resolveSibling("identity.key") + " and " + file + " away and authorize the device again on the"
                + " others; or, only if no other device ever received this device's versions above " + head.version()
                + ", delete " + file;
        throw new StartupProblem(setting, value, problem, fix);
    }

    /** After a commit that stored entries of this device, sealed here or brought back: the mark follows. */
    @TransactionalEventListener(fallbackExecution = true)
    public void stored(EntriesStored event) {
        // this device's own entries count also when a peer brings them back (a log that lost them, refilled)
        List<ChangeEntry> entries = event.entries();
        for (int i = entries.size() - 1; i >= 0; i--) {
            ChangeEntry e = entries.get(i);
            if (e.origin().equals(self)) {
                ChangeLog.Head head = new ChangeLog.Head(e.version(), e.hash());
                latest.accumulateAndGet(head, (a, b) -> a == null || b.version() > a.version() ? b : a);
                if (queued.compareAndSet(false, true)) {
                    try {
                        writer.schedule(() -> {
                            queued.set(false);
                            write();
                        }, WRITE_DELAY_MS, TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException closing) {
                        queued.set(false); // close() writes the last one
                    }
                }
                return;
            }
        }
    }

    private synchronized void write() {
        ChangeLog.Head head = latest.get();
        if (head == null) {
            return;
        }
        try {
            Path temp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(temp, self + " " + head.version() + " " + (head.hash() == null ? "-" : head.hash()) + "\n",
                    StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("cannot write {}: a start on an older copy of the file may not be noticed ({})", file, e.toString());
        }
    }

    /** The mark of this device's key, if there is one; a mark of another key (a key replaced by hand) is none. */
    private Optional<ChangeLog.Head> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] parts;
        try {
            parts = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
        } catch (IOException | UncheckedIOException e) {
            throw new StartupProblem("p2psync.data-dir", file.getParent().toString(), "cannot read " + file + " (" + e
                    + ")", "give this user read and write access to it, or delete it if it is not this node's");
        }
        if (parts.length != 3 || !parts[0].equals(self)) {
            return Optional.empty();
        }
        try {
            long version = Long.parseLong(parts[1]);
            boolean noHash = parts[2].equals("-");
            if (version < 0 || noHash != (version == 0)) {
                throw new NumberFormatException("version " + version + " with hash " + parts[2]);
            }
            return Optional.of(new ChangeLog.Head(version, noHash ? null : parts[2]));
        } catch (NumberFormatException e) {
            log.warn("ignoring {}: not a mark this version wrote ({})", file, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() throws InterruptedException {
        writer.shutdown();
        writer.awaitTermination(5, TimeUnit.SECONDS);
        write();
    }
}
