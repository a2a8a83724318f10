package io.p2psync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import io.p2psync.testing.JarRun;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A setting the node cannot start with ends the built jar with a non-zero exit code and one line that names
 * the setting, its value, what is wrong and the fix: no stack trace, no Spring Boot report box, no other
 * warning or error line (INFO start-up lines may come before it).
 */
@Execution(ExecutionMode.CONCURRENT) // each case is a process of its own, in a directory of its own
class StartupErrorsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    @Test
    void aReservedTableName() throws Exception {
        assertOneLine(start(Map.of("p2psync.tables", "sync_log")), "p2psync.tables=sync_log: ");
    }

    @Test
    void aTableWhoseKeySqliteAssignsWithoutTheOptIn() throws Exception {
        SqliteCli app = new SqliteCli(dir.resolve("notes.db"));
        app.exec("CREATE TABLE notebooks (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);"
                + "INSERT INTO notebooks (name) VALUES ('Trips');");
        JarRun run = start(Map.of("p2psync.database", app.file().toString(), "p2psync.tables", "notebooks"));
        assertOneLine(run, "p2psync.tables=notebooks: SQLite assigns the key of table 'notebooks'");
        assertThat(run.output()).contains("p2psync.capture.assigned-keys=notebooks");
        assertThat(app.dump("notebooks")).as("the app's rows are untouched").containsExactly("1|'Trips'");
    }

    @Test
    void aTableWithoutAPrimaryKey() throws Exception {
        SqliteCli app = new SqliteCli(dir.resolve("log.db"));
        app.exec("CREATE TABLE events (at TEXT, what TEXT);");
        assertOneLine(start(Map.of("p2psync.database", app.file().toString(), "p2psync.tables", "events")),
                "p2psync.tables=events: table 'events' has no PRIMARY KEY");
    }

    @Test
    void aDataDirThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        // A path below a regular file: no directory can be made there, whoever runs the test (root ignores modes).
        String dataDir = file.resolve("data").toString();
        assertOneLine(start(Map.of("p2psync.data-dir", dataDir)), "p2psync.data-dir=" + dataDir + ": ");
    }

    @Test
    void aBusyLibp2pPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneLine(start(Map.of("p2psync.libp2p.enabled", "true", "p2psync.libp2p.host", "127.0.0.1",
                    "p2psync.libp2p.port", String.valueOf(port))), "p2psync.libp2p.port=" + port + ": ");
        }
    }

    @Test
    void aBusyHttpPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneLine(start(Map.of("server.port", String.valueOf(port))), "server.port=" + port + ": ");
        }
    }

    @Test
    void aDatabaseInADirectoryThatDoesNotExist() throws Exception {
        String database = dir.resolve("no-such-dir").resolve("app.db").toString();
        assertOneLine(start(Map.of("p2psync.database", database)), "p2psync.database=" + database + ": ");
        assertThat(dir.resolve("no-such-dir")).as("no directory is made for a mistyped path").doesNotExist();
    }

    @Test
    void aDatabaseThatIsNotAnSqliteFile() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "shopping: milk, eggs, bread\n".repeat(20),
                StandardCharsets.UTF_8);
        assertOneLine(start(Map.of("p2psync.database", notes.toString())), "p2psync.database=" + notes + ": ");
        assertThat(Files.readString(notes)).as("the file is left as it was").startsWith("shopping: milk");
    }

    @Test
    void aDatabaseAnotherProgramKeepsLocked() throws Exception {
        SqliteCli app = new SqliteCli(dir.resolve("notes.db"));
        app.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);");
        try (SqliteCli.LongTransaction tx = app.holdWriteLock("INSERT INTO notes VALUES ('n1', 'still open');")) {
            JarRun run = start(Map.of("p2psync.database", app.file().toString(), "p2psync.tables", "notes",
                    "p2psync.startup-lock-wait", "2s"));
            // besides the one line, the WARN lines that said the node was waiting for the lock, and why
            List<String> lines = run.linesBesidesInfoLogs();
            assertThat(lines.subList(0, lines.size() - 1)).as("all output:\n%s", run.output()).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).contains(" WARN ", "waiting for the write lock of " + app.file()));
            assertOneLine(new JarRun(run.exitCode(), run.output().lines().filter(l -> !l.contains(" WARN "))
                    .collect(java.util.stream.Collectors.joining("\n"))),
                    "p2psync.database=" + app.file() + ": another program has held a lock on the file");
            assertThat(run.output()).contains("p2psync.startup-lock-wait (now PT2S)");
            assertThat(tx.open()).as("the node gave up while the app's transaction was still open").isTrue();
            tx.commit();
        }
        assertThat(app.dump("notes")).as("the app's transaction committed afterwards").containsExactly("'n1'|'still open'");
    }

    @Test
    void aValueOfTheWrongType() throws Exception {
        assertOneLine(start(Map.of("p2psync.capture-poll", "banana")), "p2psync.capture-poll=banana: ");
    }

    private JarRun start(Map<String, String> settings) throws IOException, InterruptedException {
        Map<String, String> all = new LinkedHashMap<>(Map.of(
                "server.address", "127.0.0.1",
                "server.port", "0",
                "p2psync.data-dir", dir.resolve("data").toString(),
                "p2psync.libp2p.enabled", "false",
                "p2psync.libp2p.mdns", "false",
                "p2psync.console.enabled", "false"));
        all.putAll(settings);
        List<String> args = new ArrayList<>();
        all.forEach((name, value) -> args.add("--" + name + "=" + value));
        return JarRun.run(dir, TIMEOUT, args);
    }

    private static void assertOneLine(JarRun run, String expectedStart) {
        assertThat(run.exitCode()).as("exit code; output:\n%s", run.output()).isNotZero();
        assertThat(run.output()).doesNotContain("Caused by", "at io.p2psync", "APPLICATION FAILED TO START");
        assertThat(run.linesBesidesInfoLogs()).as("what the user sees besides INFO lines; all output:\n%s", run.output())
                .singleElement().satisfies(line -> {
                    assertThat(line).startsWith("p2p-sync cannot start: " + expectedStart);
                    assertThat(line).contains("; fix: ");
                });
    }
}
