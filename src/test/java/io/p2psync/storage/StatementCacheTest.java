package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prepared statements kept per SQLite connection: reused, reset between users, never shared at once. */
class StatementCacheTest {

    @TempDir
    Path dir;

    private Connection open() throws SQLException {
        Connection c = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db")));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
        }
        return c;
    }

    @Test
    void theSameSqlGetsTheSameCompiledStatementResetForItsNextUser() throws Exception {
        try (Connection c = open()) {
            PreparedStatement first = c.prepareStatement("INSERT INTO t VALUES (?, ?)");
            PreparedStatement real = first.unwrap(PreparedStatement.class);
            first.setInt(1, 1);
            first.setString(2, "one");
            first.addBatch();
            first.close();
            assertThat(first.isClosed()).isTrue();
            assertThatThrownBy(first::executeUpdate).isInstanceOf(SQLException.class);

            try (PreparedStatement second = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                assertThat(second.unwrap(PreparedStatement.class)).isSameAs(real);
                assertThat(second.executeBatch()).as("the batch of the first user is gone").isEmpty();
                second.setInt(1, 2);
                second.setString(2, "two");
                second.executeUpdate();
            }
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM t");
                 ResultSet rs = count.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void aNestedUseOfTheSameSqlGetsAStatementOfItsOwnAndAnOpenResultSetIsClosedOnReturn() throws Exception {
        try (Connection c = open()) {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
            }
            String sql = "SELECT v FROM t WHERE k >= ? ORDER BY k";
            PreparedStatement outer = c.prepareStatement(sql);
            outer.setInt(1, 1);
            ResultSet rows = outer.executeQuery();
            assertThat(rows.next()).isTrue();
            try (PreparedStatement inner = c.prepareStatement(sql)) {
                assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(PreparedStatement.class));
                inner.setInt(1, 2);
                try (ResultSet rs = inner.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("b");
                }
            }
            assertThat(rows.getString(1)).as("the outer user's rows are untouched").isEqualTo("a");
            outer.close(); // its result set was left open
            assertThat(rows.isClosed()).isTrue();
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE t"); // nothing kept is still running
            }
        }
    }

    @Test
    void keepsAtMostItsBoundPerConnection() throws Exception {
        try (Connection c = open()) {
            PreparedStatement firstReal;
            try (PreparedStatement first = c.prepareStatement("SELECT 0")) {
                firstReal = first.unwrap(PreparedStatement.class);
            }
            for (int i = 1; i <= StatementCache.PER_CONNECTION; i++) {
                c.prepareStatement("SELECT " + i).close();
            }
            assertThat(firstReal.isClosed()).as("the least recently used was dropped").isTrue();
        }
    }

    @Test
    void aTableDroppedAndMadeAgainIsReadThroughTheKeptStatementAndAFailedOneIsReplaced() throws Exception {
        try (Connection c = open()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (1, 'a')")) {
                insert.executeUpdate();
            }
            c.prepareStatement("SELECT v FROM t").close(); // kept, compiled against the table as it was
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE t");
            }
            PreparedStatement failed = c.prepareStatement("SELECT v FROM t");
            assertThatThrownBy(failed::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining("no such table");
            try {
                failed.close();
            } catch (SQLException finalizedByTheDriver) {
                // sqlite-jdbc may finalize a statement that failed this way: it cannot be reset, only replaced
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT, w TEXT)");
                s.execute("INSERT INTO t VALUES (2, 'b', 'c')");
            }
            try (PreparedStatement again = c.prepareStatement("SELECT v FROM t");
                 ResultSet rs = again.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("b");
            }
        }
    }

    @Test
    void aStatementInUseIsNeverClosedToMakeRoom() throws Exception {
        try (Connection c = open()) {
            PreparedStatement held = c.prepareStatement("SELECT 0");
            for (int i = 1; i <= StatementCache.PER_CONNECTION + 10; i++) {
                c.prepareStatement("SELECT " + i).close();
            }
            try (ResultSet rs = held.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
            held.close();
        }
    }
}
