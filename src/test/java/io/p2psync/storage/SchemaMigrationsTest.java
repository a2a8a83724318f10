package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The node's migrations on the app's own file, written by Debian's sqlite3 as the app: no flags needed, the
 * node's own history table, an earlier node's history adopted, an app's own Flyway history left alone.
 */
class SchemaMigrationsTest {

    private static final String APP = """
            CREATE TABLE notebooks (id TEXT PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, notebook TEXT REFERENCES notebooks (id),
                                body TEXT, score REAL, picture BLOB);
            INSERT INTO notebooks VALUES ('nb-1', 'Home');
            INSERT INTO notes (notebook, body, score, picture) VALUES ('nb-1', 'milk', 0.1 + 0.2, X'00ff10');
            """;

    @TempDir
    Path dir;

    private static void migrate(Path file) {
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + file, true)) {
            SchemaMigrations.migrate(ds);
        }
    }

    private static List<String> history(SqliteCli db) {
        return db.exec(".mode list\nSELECT version || ' ' || success FROM " + SchemaMigrations.HISTORY_TABLE
                + " ORDER BY installed_rank;").lines().toList();
    }

    @Test
    void migratesAnAppFileThatNeverSawP2pSyncWithoutFlags() {
        SqliteCli app = new SqliteCli(dir.resolve("app.db"));
        app.exec(APP);
        List<String> notes = app.dump("notes");

        migrate(app.file());

        assertThat(history(app)).as("baselined below V1, so every migration ran")
                .startsWith("0 1", "1 1", "3 1", "4 1").contains("7 1");
        assertThat(app.exec(".mode list\nSELECT name FROM sqlite_master WHERE name IN ('sync_log', 'sync_kv', "
                + "'kv_store', 'flyway_schema_history') ORDER BY name;").lines()).containsExactly("sync_kv", "sync_log");
        assertThat(app.dump("notes")).isEqualTo(notes);
        assertThat(app.dump("notebooks")).containsExactly("'nb-1'|'Home'");
    }

    @Test
    void startsANewFileWithoutABaseline() {
        SqliteCli fresh = new SqliteCli(dir.resolve("new.db"));
        migrate(fresh.file());
        assertThat(history(fresh)).startsWith("1 1", "3 1", "4 1").contains("7 1").doesNotContain("0 1");
    }

    @Test
    void adoptsTheHistoryTableOfAnEarlierP2pSyncAndRenamesItsKeyValueTable() {
        SqliteCli old = new SqliteCli(dir.resolve("old.db"));
        old.exec(APP);
        // What an earlier node left: Flyway's default history table, baselined with the old flags, up to V4.
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource("jdbc:sqlite:" + old.file(), true)) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").baselineOnMigrate(true)
                    .baselineVersion("0").target("4").load().migrate();
        }
        old.exec("INSERT INTO kv_store VALUES ('colour', 'blue', '2026-01-01T00:00:00.000Z', NULL);"
                + "INSERT INTO sync_row_state (table_name, record_id, vector, origin, version, hlc) "
                + "VALUES ('kv_store', '[\"colour\"]', '{}', 'x', 1, 1), ('kv_store', 'colour', '{}', 'x', 1, 1);");

        migrate(old.file());

        assertThat(history(old)).startsWith("0 1", "1 1", "3 1", "4 1").contains("7 1");
        assertThat(old.exec(".mode list\nSELECT type || ' ' || name FROM sqlite_master WHERE (name GLOB '*schema_history*' "
                + "OR name = 'kv_store') AND name NOT GLOB 'sqlite_*' ORDER BY name;").lines())
                .containsExactly("table sync_schema_history", "index sync_schema_history_s_idx");
        assertThat(old.dump("sync_kv")).containsExactly("'colour'|'blue'|'2026-01-01T00:00:00.000Z'|NULL");
        // V7 renamed the table in the row states; V9 dropped the state whose record id has the form of
        // before V5 (docs/storage.md, "Files of earlier versions")
        assertThat(old.exec(".mode list\nSELECT table_name || ' ' || record_id FROM sync_row_state;").strip())
                .isEqualTo("sync_kv [\"colour\"]");
    }

    @Test
    void leavesAnAppsOwnFlywayHistoryAlone() {
        SqliteCli app = new SqliteCli(dir.resolve("flyway-app.db"));
        app.exec(APP + """
                CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT, description TEXT,
                    type TEXT, script TEXT, checksum INT, installed_by TEXT, installed_on TEXT, execution_time INT,
                    success INT);
                INSERT INTO flyway_schema_history VALUES (1, '1', 'notes', 'SQL', 'V1__notes.sql', 7, 'app', '', 3, 1);
                """);
        List<String> theirs = app.dump("flyway_schema_history");

        migrate(app.file());

        assertThat(app.dump("flyway_schema_history")).isEqualTo(theirs);
        assertThat(history(app)).startsWith("0 1", "1 1");
    }

    @Test
    void refusesAFileWhoseOwnTablesUseTheReservedPrefix() {
        SqliteCli app = new SqliteCli(dir.resolve("clash.db"));
        app.exec(APP + "CREATE TABLE sync_settings (k TEXT PRIMARY KEY, v TEXT);");

        assertThatThrownBy(() -> migrate(app.file())).isInstanceOfSatisfying(StartupProblem.class, p -> {
            assertThat(p.setting()).isEqualTo("p2psync.database");
            assertThat(p.problem()).contains("sync_settings");
        });
        assertThat(app.exec(".mode list\nSELECT count(*) FROM sqlite_master WHERE name GLOB 'sync_*';").strip())
                .as("nothing was added").isEqualTo("1");
    }
}
