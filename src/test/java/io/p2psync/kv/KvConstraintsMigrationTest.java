package io.p2psync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * V11 gives {@code sync_kv} constraints: rows that break them, made before by a faulty writer, are kept aside
 * in {@code sync_kv_refused}, and afterwards another program (Debian's sqlite3) cannot write such a row.
 */
class KvConstraintsMigrationTest {

    @TempDir
    Path dir;

    @Test
    void rowsThatBreakTheNewRulesAreKeptAsideAndNoWriterCanAddMore() {
        Path file = dir.resolve("node.db");
        SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + file, true);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("10").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            jdbc.sql("INSERT INTO sync_kv VALUES ('good', 'v', '2026-11-21T00:00:00.123Z', NULL)").update();
            jdbc.sql("INSERT INTO sync_kv VALUES ('spaced', 'v', datetime('now'), NULL)").update(); // as an app may
            jdbc.sql("INSERT INTO sync_kv VALUES (NULL, 'no key', '2026-11-21T00:00:00Z', NULL)").update();
            jdbc.sql("INSERT INTO sync_kv VALUES ('bad-time', 'v', 'x', NULL)").update();
            jdbc.sql("INSERT INTO sync_kv VALUES ('blob', x'00ff', '2026-11-21T00:00:00Z', NULL)").update();
            jdbc.sql("INSERT INTO sync_kv VALUES ('gone', NULL, '2026-11-21T00:00:00Z', '2026-11-22T00:00:00Z')")
                    .update();

            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();

            assertThat(jdbc.sql("SELECT key FROM sync_kv ORDER BY key").query(String.class).list())
                    .containsExactly("gone", "good", "spaced");
            assertThat(jdbc.sql("SELECT coalesce(key, '<null>') FROM sync_kv_refused ORDER BY 1").query(String.class)
                    .list()).containsExactly("<null>", "bad-time", "blob");
        } finally {
            ds.destroy();
        }

        SqliteCli app = new SqliteCli(file);
        for (String refused : List.of(
                "INSERT INTO sync_kv VALUES (NULL, 'v', '2026-11-21T00:00:00Z', NULL);",
                "INSERT INTO sync_kv VALUES ('k', 'v', 'yesterday', NULL);",
                "INSERT INTO sync_kv VALUES ('k', 'v', '12345', NULL);",
                "UPDATE sync_kv SET deleted_at = 'x' WHERE key = 'good';")) {
            assertThatThrownBy(() -> app.exec(refused)).as(refused).hasMessageContaining("constraint failed");
        }
        app.exec("INSERT INTO sync_kv VALUES ('k', 'v', '2026-12-05T16:09:39.123456789Z', NULL);");
        assertThat(app.exec("SELECT count(*) FROM sync_kv;").strip()).isEqualTo("4");
    }
}
