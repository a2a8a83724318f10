package io.p2psync.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Checks that the configured SQLite file can be used before anything opens it, so a mistake is reported as
 * the setting at fault and not as an SQLite error deep inside Flyway. Nothing is created for a path the user
 * named; only the data dir is made when missing.
 */
final class DatabaseFile {

    /** The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html, 1.3). */
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private DatabaseFile() {
    }

    /**
     * Makes the data dir if missing and checks the database path: its directory must exist, and an existing
     * file must be an SQLite database (an empty file is fine: SQLite makes it one).
     *
     * @throws StartupProblem naming {@code p2psync.data-dir} or {@code p2psync.database}
     */
    static void prepare(P2pSyncSettings settings) {
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new StartupProblem("p2psync.data-dir", settings.dataDir().toString(),
                    "the directory cannot be created (" + e + ")",
                    "point p2psync.data-dir (--data-dir) at a directory this user may write, or create it", e);
        }
        Path file = settings.databaseFile();
        String setting = settings.databaseConfigured() ? "p2psync.database" : "p2psync.data-dir";
        String value = settings.databaseConfigured() ? file.toString() : settings.dataDir().toString();
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new StartupProblem(setting, value, "the directory " + directory + " does not exist",
                    "create it, or correct the path to the app's SQLite file");
        }
        checkIsSqlite(file, setting, value);
    }

    /**
     * @throws StartupProblem if {@code file} exists and is a directory, cannot be read, or does not start with
     *                        the SQLite header
     */
    static void checkIsSqlite(Path file, String setting, String value) {
        if (!Files.exists(file)) {
            return;
        }
        String fix = "name the app's SQLite file, or a path where p2p-sync may make a new one";
        if (Files.isDirectory(file)) {
            throw new StartupProblem(setting, value, "it is a directory, not an SQLite file", fix);
        }
        byte[] start;
        try (InputStream in = Files.newInputStream(file)) {
            start = in.readNBytes(HEADER.length);
        } catch (IOException e) {
            throw new StartupProblem(setting, value, "the file cannot be read (" + e + ")",
                    "give this user read and write access to it", e);
        }
        if (start.length > 0 && !Arrays.equals(start, HEADER)) {
            throw new StartupProblem(setting, value, "it is not an SQLite database (it lacks the SQLite file header)", fix);
        }
    }
}
