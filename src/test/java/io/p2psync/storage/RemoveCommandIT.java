package io.p2psync.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.Node;
import io.p2psync.testing.JarRun;
import io.p2psync.testing.SqliteCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node installed into an app's file written by Debian's sqlite3 (no flags), then {@code java -jar p2p-sync.jar
 * remove}: refused while the node runs, afterwards the app's schema and every value exactly as before the
 * install, and nothing of the node's left.
 */
class RemoveCommandIT {

    private static final String APP_SCHEMA = """
            CREATE TABLE notebooks (id TEXT PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, notebook TEXT REFERENCES notebooks (id)
                                ON DELETE CASCADE, body TEXT, score REAL, picture BLOB, extra);
            CREATE TABLE tags (note INTEGER, tag TEXT, PRIMARY KEY (note, tag)) WITHOUT ROWID;
            CREATE INDEX notes_by_notebook ON notes (notebook);
            CREATE VIEW notebook_sizes AS SELECT notebook, count(*) AS n FROM notes GROUP BY notebook;
            CREATE TRIGGER notes_no_empty BEFORE INSERT ON notes WHEN NEW.body = '' BEGIN SELECT RAISE(ABORT, 'empty'); END;
            INSERT INTO notebooks VALUES ('nb-home', 'Home'), ('nb-work', 'Work ✓');
            INSERT INTO notes (notebook, body, score, picture, extra) VALUES
                ('nb-home', 'milk', 0.1 + 0.2, X'00FF10', 5),
                ('nb-work', 'line' || char(0) || 'after NUL', -9223372036854775808, NULL, '5'),
                ('nb-work', printf('%.20000c', 'x'), 1e308, zeroblob(3), NULL);
            INSERT INTO tags VALUES (1, 'food'), (2, 'odd');
            """;
    private static final String SCHEMA_QUERY = ".mode list\nSELECT type || '|' || name || '|' || tbl_name || '|' || "
            + "replace(coalesce(sql, ''), char(10), '\\n') FROM sqlite_master WHERE name NOT GLOB 'sqlite_*' "
            + "ORDER BY type, name;"; // one line per object: an object's SQL keeps its line breaks as \n
    private static final List<String> APP_TABLES = List.of("notebooks", "notes", "tags", "sqlite_sequence");
    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    @Test
    void removesEverythingTheNodeAddedAndLeavesTheAppsFileAsItWas() throws Exception {
        SqliteCli app = new SqliteCli(dir.resolve("notes.db"));
        app.exec(APP_SCHEMA);
        List<String> schemaBefore = app.exec(SCHEMA_QUERY).lines().toList();
        Map<String, List<String>> rowsBefore = dump(app);

        try (Node node = Node.start("laptop", dir.resolve("data"), "p2psync.database=" + app.file(),
                "p2psync.tables=notebooks,tags")) {
            put(node, "colour", "blue");
            List<String> added = app.exec(SCHEMA_QUERY).lines().filter(line -> !schemaBefore.contains(line)).toList();
            assertThat(added).as("the node added its own objects").isNotEmpty()
                    .allSatisfy(line -> assertThat(line.split("\\|")[1]).matches("(sync_|p2psync_capture_).*"));
            assertThat(added).as("capture triggers on both tracked tables, whatever this version names them")
                    .anyMatch(line -> line.matches("trigger\\|[^|]+\\|notebooks\\|.*"))
                    .anyMatch(line -> line.matches("trigger\\|[^|]+\\|tags\\|.*"))
                    .anyMatch(line -> line.startsWith("table|sync_schema_history|"));
            assertThat(dir.resolve("data").resolve("p2psync.db")).as("no second database").doesNotExist();

            JarRun refused = JarRun.run(dir, TIMEOUT, List.of("remove", "--database", app.file().toString()));
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
            assertThat(refused.linesBesidesInfoLogs()).singleElement().asString()
                    .startsWith("p2p-sync remove: p2psync.database=" + app.file() + ": a p2p-sync node is running");
            assertThat(app.exec(".mode list\nSELECT count(*) FROM sqlite_master WHERE name GLOB 'sync_*';").strip())
                    .as("nothing removed while the node runs").isNotEqualTo("0");
        }

        JarRun removed = JarRun.run(dir, TIMEOUT, List.of("remove", "--p2psync.database=" + app.file()));
        assertThat(removed.exitCode()).as(removed.output()).isZero();
        assertThat(removed.output()).containsPattern("removed trigger \\S*notebooks\\S*")
                .containsPattern("removed trigger \\S*tags\\S*")
                .contains("removed table sync_log (", "removed table sync_kv (1 row)", "removed table sync_schema_history");

        assertThat(app.exec(SCHEMA_QUERY).lines().toList()).isEqualTo(schemaBefore);
        assertThat(dump(app)).isEqualTo(rowsBefore);
        assertThat(app.exec(".mode list\nSELECT name FROM sqlite_master WHERE name GLOB '*sync*';")).isEmpty();
        assertThat(NodeLock.fileOf(app.file())).doesNotExist();

        JarRun again = JarRun.run(dir, TIMEOUT, List.of("remove", "--database=" + app.file()));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("nothing removed");
    }

    private static Map<String, List<String>> dump(SqliteCli app) {
        Map<String, List<String>> rows = new TreeMap<>();
        APP_TABLES.forEach(table -> rows.put(table, app.dump(table)));
        return rows;
    }

    private static void put(Node node, String key, String value) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.url + "/kv/" + key))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
