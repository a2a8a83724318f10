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

    /**
     * The sealer reads a batch's rows and states in a statement per chunk: each key must find exactly what
     * reading it alone finds, whatever its storage class (5, '5', 5.5, a BLOB, NULL, which a key without a type
     * keeps apart), the affinity of a typed key column, keys of several columns, keys with no row, and more
     * keys than one statement takes.
     */
    @Test
    void batchedReadsFindWhatReadingEachRowAloneFinds() throws SQLException {
        exec(app, "CREATE TABLE u (k PRIMARY KEY, v)");
        exec(app, "INSERT INTO u VALUES (5, 'int'), ('5', 'text'), (5.5, 'real'), (x'05', 'blob'), (NULL, 'null1'),"
                + " (NULL, 'null2'), ('a', 'plain')");
        exec(app, "CREATE TABLE w (a TEXT, b INTEGER, c, PRIMARY KEY (a, b))");
        exec(app, "CREATE TABLE sync_origins (id INTEGER PRIMARY KEY, device_id TEXT NOT NULL UNIQUE)");
        exec(app, "INSERT INTO sync_origins VALUES (1, 'o')");
        exec(app, "CREATE TABLE sync_row_state (table_name TEXT NOT NULL, record_id TEXT NOT NULL, vector TEXT,"
                + " origin INTEGER NOT NULL, version INTEGER NOT NULL, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
                + " column_clocks TEXT, column_hashes TEXT, PRIMARY KEY (table_name, record_id)) WITHOUT ROWID");
        List<List<Object>> wKeys = new java.util.ArrayList<>();
        for (int i = 0; i < 45; i++) {
            if (i % 3 != 0) {
                exec(app, "INSERT INTO w VALUES ('k" + i + "', " + i + ", " + i * 10 + ")");
                exec(app, "INSERT INTO sync_row_state VALUES ('w', '" + SqlValues.encodeKey(List.of("k" + i, (long) i))
                        + "', " + (i % 4 == 1 ? "NULL" : "'{\"o\":" + (i + 1) + "}'") + ", 1, " + (i + 1) + ", 7, " + (i % 2)
                        + ", NULL, '{}')"); // NULL: the vector {o: version} kept compactly
            }
            wKeys.add(List.of("k" + i, (long) i));
        }
        wKeys.add(List.of("k1", "1")); // text '1' in an INTEGER column: the affinity makes it 1
        wKeys.add(List.of("k1", 1L));  // asked twice
        TrackedTable u = new TrackedTable("u", List.of("k", "v"), List.of("k"), false, Map.of());
        TrackedTable w = new TrackedTable("w", List.of("a", "b", "c"), List.of("a", "b"), false, Map.of());
        List<List<Object>> uKeys = new java.util.ArrayList<>();
        for (Object k : new Object[] {5L, "5", 5.5, new byte[] {5}, null, "a", 6L, "b", 5.0}) {
            uKeys.add(java.util.Collections.singletonList(k));
        }
        node.setAutoCommit(false);
        try (RowLookup lookup = new RowLookup(node, cache)) {
            for (var c : List.of(Map.entry(u, uKeys), Map.entry(w, wKeys), Map.entry(w, wKeys.subList(0, 1)),
                    Map.entry(w, wKeys.subList(3, 9)), Map.entry(u, uKeys.subList(0, 2)))) {
                List<LinkedHashMap<String, Object>> batch = lookup.rows(c.getKey(), c.getValue());
                assertThat(batch).hasSameSizeAs(c.getValue());
                for (int i = 0; i < batch.size(); i++) {
                    LinkedHashMap<String, Object> alone = lookup.row(c.getKey(), c.getValue().get(i));
                    if (alone == null) {
                        assertThat(batch.get(i)).as("key %s", c.getValue().get(i)).isNull();
                    } else {
                        assertThat(batch.get(i)).as("key %s", c.getValue().get(i)).isNotNull();
                        assertThat(new java.util.ArrayList<>(batch.get(i).keySet())).containsExactlyElementsOf(alone.keySet());
                        assertThat(SqlValues.sameRow(batch.get(i), alone)).as("key %s: %s", c.getValue().get(i), alone).isTrue();
                    }
                }
            }
            assertThat(lookup.rows(u, uKeys).get(4)).as("the first of the rows a NULL key matches").containsEntry("v",
                    lookup.row(u, java.util.Collections.singletonList(null)).get("v"));
            List<String> ids = wKeys.stream().map(SqlValues::encodeKey).toList();
            List<RowState> states = lookup.states("w", ids);
            assertThat(states).hasSameSizeAs(ids);
            for (int i = 0; i < ids.size(); i++) {
                assertThat(states.get(i)).as("state of %s", ids.get(i)).isEqualTo(lookup.state("w", ids.get(i)));
            }
            assertThat(states.get(1)).isNotNull();
            assertThat(states.get(1).vector()).as("a vector stored as NULL is {origin: version}")
                    .isEqualTo(VersionVector.EMPTY.with("o", 2));
            assertThat(states.get(2).vector()).isEqualTo(VersionVector.EMPTY.with("o", 3));
            assertThat(lookup.states("u", ids)).containsOnlyNulls();
        } finally {
            node.commit();
            node.setAutoCommit(true);
        }
    }
}
