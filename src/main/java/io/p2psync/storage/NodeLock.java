package io.p2psync.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The lock a process holds while it works on an SQLite file as p2p-sync: a running node, or {@code remove}.
 * It is an OS file lock on an empty file beside the database, {@code <file>-p2psync.lock} (like SQLite's own
 * {@code -wal} and {@code -shm}), never on the database itself: SQLite's locks on that file are POSIX locks,
 * which a lock of ours on the same file would be released with, or break. The OS drops the lock when the
 * process ends, also on {@code kill -9}, so a left-over lock file means nothing by itself.
 */
public final class NodeLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private NodeLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code database}. */
    public static Path fileOf(Path database) {
        Path absolute = database.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + "-p2psync.lock");
    }

    /**
     * Takes the lock of {@code database} without waiting.
     *
     * @return empty if another process (or another node in this one) holds it
     */
    public static Optional<NodeLock> tryAcquire(Path database) throws IOException {
        Path file = fileOf(database);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return Optional.of(new NodeLock(file, channel, lock));
            }
        } catch (OverlappingFileLockException heldInThisProcess) {
            // another node in this JVM has it: as busy as another process
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        return Optional.empty();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
