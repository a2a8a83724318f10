package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sealer's row reads with statements kept on the connection between transactions: what another program
 * does to the table in between (add a column, drop and re-create the table, change a row) is seen as if every
 * statement were prepared anew.
 */
class RowLookupTest {

    private static final TrackedTable T = new TrackedTable("t", List.of("k", "v"), List.of("k"), false, Map.of());

    @TempDir
    Path dir;

    private Connection node;
    private Connection app;
    private final RowLookup.Statements cache = new RowLookup.Statements();

    @BeforeEach
    void open() throws SQLException {
        String url = "jdbc:sqlite:" + dir.resolve("app.db");
        node = DriverManager.getConnection(url);
        app = DriverManager.getConnection(url);
        exec(app, "PRAGMA journal_mode=WAL");
        exec(app, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)");
        exec(app, "INSERT INTO t VALUES ('a', 'one')");
    }

    @AfterEach
    void close() throws SQLException {
        node.close();
        app.close();
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** One read in a transaction of its own on the node's connection, as the sealer makes it. */
    private LinkedHashMap<String, Object> read(String key) throws SQLException {
        node.setAutoCommit(false);
        try (RowLookup lookup = new RowLookup(node, cache)) {
            return lookup.row(T, List.of(key));
        } finally {
            node.commit();
            node.setAutoCommit(true);
        }
    }

    @Test
    void aKeptStatementSeesWhatAnotherProgramChangedSinceTheLastTransaction() throws SQLException {
        assertThat(read("a")).containsExactly(Map.entry("k", "a"), Map.entry("v", "one"));

        exec(app, "UPDATE t SET v = 'two'");
        exec(app, "INSERT INTO t VALUES ('b', 'three')");

        assertThat(read("a")).containsExactly(Map.entry("k", "a"), Map.entry("v", "two"));
        assertThat(read("b")).containsExactly(Map.entry("k", "b"), Map.entry("v", "three"));
    }

    @Test
    void aKeptStatementSeesAColumnAddedSinceItWasPrepared() throws SQLException {
        assertThat(read("a")).containsOnlyKeys("k", "v");

        exec(app, "ALTER TABLE t ADD COLUMN w INTEGER DEFAULT 7");

        assertThat(read("a")).containsExactly(Map.entry("k", "a"), Map.entry("v", "one"), Map.entry("w", 7L));
    }

    @Test
    void aTableDroppedAndCreatedAgainIsReadWithAFreshStatement() throws SQLException {
        assertThat(read("a")).containsEntry("v", "one");

        exec(app, "DROP TABLE t");
        assertThatThrownBy(() -> read("a")).isInstanceOf(SQLException.class).hasMessageContaining("no such table");

        exec(app, "CREATE TABLE t (k TEXT PRIMARY KEY, z BLOB)");
        exec(app, "INSERT INTO t VALUES ('a', x'00ff')");
        LinkedHashMap<String, Object> row = read("a");
        assertThat(row).containsOnlyKeys("k", "z");
        assertThat((byte[]) row.get("z")).containsExactly(0x00, 0xff);
    }

    @Test
    void keptStatementsLeaveNoReadOpenThatWouldStopACheckpoint() throws SQLException {
        assertThat(read("a")).isNotNull();
        exec(app, "UPDATE t SET v = 'two'");

        try (Statement s = app.createStatement(); var rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("checkpoint blocked by a reader").isZero();
        }
        assertThat(read("a")).containsEntry("v", "two");
    }
}
