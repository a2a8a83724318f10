package io.p2psync.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.sqlite.SQLiteConfig;

/**
 * {@code java -jar p2p-sync.jar remove --p2psync.database=app.db}: takes the node out of the app's SQLite file
 * again. Drops every trigger the node installed ({@code sync_*}, and {@code p2psync_capture_*} of earlier
 * versions) and every {@code sync_*} view and table, in one transaction, so the app's tables, rows, indexes, views and
 * triggers stay exactly as they were. Refused while a node runs on the file ({@link NodeLock}). The data dir
 * (device key, admin token) is left alone: it is not in the app's file.
 *
 * <p>Dropping {@code sync_*} by prefix is safe because a node refuses to install into a file whose own
 * objects use that prefix ({@link SchemaMigrations}).
 */
public final class RemoveCommand {

    /** Binds {@code p2psync.*} exactly as a node does (application.yml, environment, arguments), and nothing else. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(P2pSyncSettings.class)
    static class Settings {
    }

    /** What was dropped, as lines for people, e.g. {@code table sync_log (12 rows)}; empty if nothing was there. */
    record Removal(List<String> removed) {
    }

    private RemoveCommand() {
    }

    /**
     * Runs the command with Spring-style arguments and prints to standard output what it removed.
     *
     * @return the process exit code: 0 when the file holds nothing of the node's any more, 1 otherwise
     */
    public static int run(String... springArgs) {
        P2pSyncSettings settings;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Settings.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .run(springArgs)) {
            settings = context.getBean(P2pSyncSettings.class);
        } catch (RuntimeException e) {
            return 1; // a setting that does not bind: StartupFailureReporter printed it
        }
        PrintStream out = System.out;
        Path file = settings.databaseFile();
        String setting = settings.databaseConfigured() ? "p2psync.database" : "p2psync.data-dir";
        String value = settings.databaseConfigured() ? file.toString() : settings.dataDir().toString();
        try {
            Removal removal = remove(file, setting, value);
            if (removal.removed().isEmpty()) {
                out.println("nothing of p2p-sync's in " + file + "; nothing removed");
            } else {
                removal.removed().forEach(line -> out.println("removed " + line));
                out.println("p2p-sync is out of " + file + "; the app's tables and rows are as they were. "
                        + "The device key in " + settings.dataDir() + " is kept (delete the directory if this device "
                        + "should never sync again).");
            }
            return 0;
        } catch (StartupProblem problem) {
            System.err.println("p2p-sync remove: " + problem.line());
            return 1;
        }
    }

    /**
     * Drops the node's triggers and tables from {@code file} in one transaction.
     *
     * @param setting the setting that named the file, for a problem's message
     * @param value   its value
     * @throws StartupProblem if the file does not exist, is not an SQLite file, a node runs on it, or SQLite
     *                        refuses (a lock held by another program past 10 s, say)
     */
    static Removal remove(Path file, String setting, String value) {
        if (!Files.isRegularFile(file)) {
            throw new StartupProblem(setting, value, "there is no file " + file,
                    "name the app's SQLite file the node ran on (--p2psync.database or --data-dir)");
        }
        DatabaseFile.checkIsSqlite(file, setting, value);
        Optional<NodeLock> lock;
        try {
            lock = NodeLock.tryAcquire(file);
        } catch (IOException e) {
            throw new StartupProblem(setting, value, "cannot open the lock file " + NodeLock.fileOf(file) + " (" + e + ")",
                    "run remove as the user the node runs as", e);
        }
        if (lock.isEmpty()) {
            throw new StartupProblem(setting, value, "a p2p-sync node is running on this file",
                    "stop the node first, then run remove again");
        }
        try (NodeLock held = lock.get()) {
            Removal removal = dropAll(file);
            Files.deleteIfExists(held.file());
            return removal;
        } catch (SQLException e) {
            throw new StartupProblem(setting, value, "SQLite refused: " + e.getMessage(),
                    "make sure no other program holds a long write transaction on the file, then run remove again", e);
        } catch (IOException e) {
            throw new StartupProblem(setting, value, "cannot release the lock file (" + e + ")",
                    "delete " + NodeLock.fileOf(file) + " by hand", e);
        }
    }

    private static Removal dropAll(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(false); // dropping a table must not cascade into anything
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
             Statement s = c.createStatement()) {
            LockPolling.install(c, java.time.Duration.ofSeconds(10));
            s.execute("BEGIN IMMEDIATE");
            try {
                List<String> removed = new ArrayList<>();
                for (String trigger : names(s, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                        + "AND (name GLOB 'sync_*' OR name GLOB 'p2psync_capture_*') ORDER BY name")) {
                    s.execute("DROP TRIGGER " + quote(trigger));
                    removed.add("trigger " + trigger);
                }
                for (String view : names(s, "SELECT name FROM sqlite_master WHERE type = 'view' "
                        + "AND name GLOB 'sync_*' ORDER BY name")) {
                    s.execute("DROP VIEW " + quote(view));
                    removed.add("view " + view);
                }
                for (String table : names(s, "SELECT name FROM sqlite_master WHERE type = 'table' "
                        + "AND name GLOB 'sync_*' ORDER BY name")) {
                    long rows;
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(table))) {
                        rows = rs.next() ? rs.getLong(1) : 0;
                    }
                    s.execute("DROP TABLE " + quote(table));
                    removed.add("table " + table + " (" + rows + (rows == 1 ? " row)" : " rows)"));
                }
                s.execute("COMMIT");
                return new Removal(List.copyOf(removed));
            } catch (SQLException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private static List<String> names(Statement s, String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
