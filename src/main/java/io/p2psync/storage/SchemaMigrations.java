package io.p2psync.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the node's Flyway migrations run on the app's own SQLite file, with no flags from the user.
 *
 * <ul>
 *   <li>The history lives in the node's own table {@value #HISTORY_TABLE}, so it is recognisably ours and never
 *       mixes with an app that uses Flyway itself (whose table keeps Flyway's default name).</li>
 *   <li>A file that already holds the app's tables and never saw p2p-sync is baselined at version 0, below V1,
 *       so every migration still runs on it. (Flyway's {@code baselineOnMigrate} baselines a non-empty schema
 *       without a history table at {@code baselineVersion}, whose default 1 would skip V1.) An empty or new file
 *       is not baselined at all.</li>
 *   <li>A file set up by an earlier p2p-sync keeps its history in {@value #OLD_HISTORY_TABLE}: that table is
 *       renamed, with its index, if its first migration is the node's V1 (an app's own Flyway history is left
 *       alone).</li>
 *   <li>The node reserves the {@code sync_} prefix: installing into a file that has tables of that name is
 *       refused rather than mixed up with them, so {@code remove} can later drop every {@code sync_*} table.</li>
 * </ul>
 */
public final class SchemaMigrations {

    public static final String HISTORY_TABLE = "sync_schema_history";
    static final String OLD_HISTORY_TABLE = "flyway_schema_history";
    /** The script of the node's first migration: how an old history table is known to be the node's. */
    static final String FIRST_SCRIPT = "V1__sync_schema.sql";
    static final String LOCATION = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

    private SchemaMigrations() {
    }

    /** The node's settings on a Flyway configuration (also what Spring Boot's Flyway is customised with). */
    public static FluentConfiguration configure(FluentConfiguration configuration) {
        return configuration
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("p2p-sync added to an existing file");
    }

    /** Migrates a data source outside Spring (tests, tools) exactly as a node does. */
    public static void migrate(DataSource dataSource) {
        migrate(configure(Flyway.configure().dataSource(dataSource).locations(LOCATION)).load(), null);
    }

    /**
     * Prepares the file (old history adopted, reserved names checked), then migrates.
     *
     * @param file the file, for the message when start-up is refused; null when not known
     */
    static void migrate(Flyway flyway, Path file) {
        DataSource dataSource = flyway.getConfiguration().getDataSource();
        try (Connection c = dataSource.getConnection()) {
            adoptOldHistory(c);
            refuseReservedNames(c, file);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema of " + (file == null ? "the database" : file), e);
        }
        flyway.migrate();
    }

    private static void adoptOldHistory(Connection c) throws SQLException {
        if (hasTable(c, HISTORY_TABLE) || !hasTable(c, OLD_HISTORY_TABLE)) {
            return;
        }
        String first;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT script FROM " + OLD_HISTORY_TABLE
                     + " WHERE success = 1 AND version IS NOT NULL AND version <> '0' ORDER BY installed_rank LIMIT 1")) {
            first = rs.next() ? rs.getString(1) : null;
        }
        if (!FIRST_SCRIPT.equals(first)) {
            return; // the app's own Flyway history: not ours to touch
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE " + OLD_HISTORY_TABLE + " RENAME TO " + HISTORY_TABLE);
            s.executeUpdate("DROP INDEX IF EXISTS " + OLD_HISTORY_TABLE + "_s_idx");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS " + HISTORY_TABLE + "_s_idx ON " + HISTORY_TABLE + " (success)");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        log.info("renamed the schema history of an earlier p2p-sync from {} to {}", OLD_HISTORY_TABLE, HISTORY_TABLE);
    }

    private static void refuseReservedNames(Connection c, Path file) throws SQLException {
        if (hasTable(c, HISTORY_TABLE)) {
            return; // the node's file: its sync_* tables are its own
        }
        List<String> taken = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger')"
                     + " AND lower(name) GLOB 'sync_*' ORDER BY name")) {
            while (rs.next()) {
                taken.add(rs.getString(1));
            }
        }
        if (!taken.isEmpty()) {
            throw new StartupProblem("p2psync.database", file == null ? "the database" : file.toString(),
                    "the app already has objects named sync_*, a prefix p2p-sync reserves for its own tables "
                            + "and triggers: " + String.join(", ", taken),
                    "rename them in the app, or sync a different file");
        }
    }

    static boolean hasTable(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }
}
