package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three nodes as separate OS processes from the built jar, paired with each other, syncing only through the
 * scheduled catch-up (interval 3 s) and the push after local changes; nobody calls {@code /sync/now}. Each
 * node tracks {@code sync_kv} and an app table {@code notes} that a program writes through its own JDBC
 * connection. The scenarios run in order on the same three nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoSyncFaultIT {

    private static final Logger log = LoggerFactory.getLogger(AutoSyncFaultIT.class);
    static final Duration INTERVAL = Duration.ofSeconds(3);
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    /** Generous: the build machine is shared; these bound a hang, they are not what is tested. */
    static final Duration CONVERGE = Duration.ofSeconds(240);

    /** Under target/ rather than a temporary directory, so the nodes' logs and files outlive a failure. */
    private final Path dir = Path.of("target", "autosync-it", "run-" + System.currentTimeMillis());

    private JarNode a;
    private JarNode b;
    private JarNode c;
    private int kvWritten;

    @BeforeAll
    void startThreePairedNodes() throws Exception {
        a = node("node-a");
        b = node("node-b");
        c = node("node-c");
        for (JarNode n : nodes()) {
            n.start();
        }
        for (JarNode n : nodes()) {
            n.awaitUp();
        }
        for (JarNode n : nodes()) {
            for (JarNode other : nodes()) {
                if (n != other) {
                    n.pair(other);
                }
            }
        }
    }

    @AfterAll
    void stopNodes() throws InterruptedException {
        for (JarNode n : nodes()) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    @Order(1)
    void nodeKilledMidSyncWhileAnAppKeepsWritingCatchesUpAndNothingIsLost() throws Exception {
        int bulk = 20_000;
        try (AppWriter app = new AppWriter(c, 1_000_000)) {
            // An app on node c writes to its tracked table all through: while c syncs, is killed, restarts.
            app.start();
            insertNotes(a, 1, bulk);

            // Stored, not applied: entries of a group wait in the log until its last entry is there, so the
            // notes table may still show none of the bulk while c is well into pulling it.
            await("node c is in the middle of pulling the bulk").atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                    .until(() -> bulkEntriesStored(c) > 0);
            c.kill9();
            long atKill = bulkEntriesStored(c);
            log.info("killed node c with {} of {} bulk entries stored, {} notes applied", atKill, bulk,
                    countNotesBelow(c, bulk + 1));
            assertThat(atKill).as("c was killed mid-sync").isBetween(1L, bulk - 1L);
            assertNoHalfAppliedBatch(c);

            for (int i = 0; i < 30; i++) {
                a.put("a-" + i, "written on a while c is down " + i);
                b.put("b-" + i, "written on b while c is down " + i);
                kvWritten += 2;
            }
            c.start().awaitUp();
            int atRestart = app.written();
            await("the app's writes go on after the restart").atMost(CONVERGE)
                    .until(() -> app.written() > atRestart + 20);
            app.stopAndJoin();
            assertThat(app.failures()).as("errors the app got while writing").isEmpty();

            long expectedNotes = bulk + app.written();
            Instant restarted = Instant.now();
            awaitConverged(expectedNotes);
            log.info("all three converged on {} notes ({} written by the app on c, none failed) and {} kv rows,"
                    + " {} ms after the app stopped", expectedNotes, app.written(), kvWritten,
                    Duration.between(restarted, Instant.now()).toMillis());
        }
        assertNoLockErrorsInLogs();
    }

    @Test
    @Order(2)
    void nodeCutOffForSeveralRoundsCatchesUpByItselfWhenBack() throws Exception {
        // Stopped gracefully in the middle of pulling a backlog: no half batch, resumes from its vector.
        int first = 2_000_000;
        int bulk = 10_000;
        insertNotes(a, first, bulk);
        await("node b is in the middle of pulling the backlog").atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                .until(() -> b.count("SELECT count(*) FROM notes WHERE id >= " + first) > 0);
        long atSigterm = b.count("SELECT count(*) FROM notes WHERE id >= " + first);
        b.stop();
        long atStop = b.count("SELECT count(*) FROM notes WHERE id >= " + first);
        // A graceful stop lets the running round go on for up to 10 s, so it may finish the backlog.
        log.info("SIGTERM to node b with {} of {} backlog notes applied; {} when it had stopped", atSigterm, bulk, atStop);
        assertNoHalfAppliedBatch(b);

        // Several rounds pass while a and c write; a sees b failing and keeps a schedule for it.
        int failedBefore = failedRounds(a, b);
        for (int i = 0; i < 20; i++) {
            a.put("a-cut-" + i, "written on a while b is cut off " + i);
            c.put("c-cut-" + i, "written on c while b is cut off " + i);
            kvWritten += 2;
        }
        await("a has failed rounds with b").atMost(CONVERGE).until(() -> failedRounds(a, b) >= failedBefore + 2);
        var seenByA = peer(a, b);
        log.info("a sees b while b is down: {}", seenByA);
        assertThat(seenByA.path("status").asString()).isIn("FAILING", "UNREACHABLE", "PROBING");
        assertThat(seenByA.path("lastError").isString()).isTrue();
        assertThat(seenByA.path("nextAttemptAt").isString()).isTrue();
        assertThat(seenByA.path("paired").asBoolean()).isTrue();

        b.start().awaitUp();
        Instant back = Instant.now();
        awaitConverged(bulk + countNotesBelow(a, first));
        log.info("node b caught up {} ms after it answered again (interval {})",
                Duration.between(back, Instant.now()).toMillis(), INTERVAL);
        await("a sees b in sync again").atMost(CONVERGE)
                .until(() -> peer(a, b).path("status").asString().equals("IN_SYNC"));
        assertNoLockErrorsInLogs();
    }

    private void awaitConverged(long expectedNotes) {
        await("all three nodes hold the same rows").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    for (JarNode n : nodes()) {
                        assertThat(n.count("SELECT count(*) FROM notes")).as(n.name + " notes").isEqualTo(expectedNotes);
                        assertThat(n.count("SELECT count(*) FROM sync_kv")).as(n.name + " kv").isEqualTo(kvWritten);
                    }
                    assertThat(c.checksum("notes", "id")).isEqualTo(a.checksum("notes", "id"))
                            .isEqualTo(b.checksum("notes", "id"));
                    assertThat(c.checksum("sync_kv", "key")).isEqualTo(a.checksum("sync_kv", "key"))
                            .isEqualTo(b.checksum("sync_kv", "key"));
                });
    }

    /** Read from the file of a stopped node: every origin without gaps, and every logged insert has its row. */
    private static void assertNoHalfAppliedBatch(JarNode n) throws SQLException {
        assertThat(n.alive()).isFalse();
        assertThat(n.count("SELECT count(*) FROM (SELECT origin FROM sync_log GROUP BY origin"
                + " HAVING max(version) <> count(*))")).as("origins with gaps in " + n.name).isZero();
        // Every bulk INSERT whose group has ended in the log is on its row; none of an unfinished group is.
        assertThat(n.count("SELECT count(*) FROM notes WHERE id < 1000000 OR id >= 2000000"))
                .as("bulk notes in " + n.name + " match its log")
                .isEqualTo(n.count("WITH ends AS (SELECT origin, MAX(version) AS v FROM sync_log WHERE continues = 0"
                        + " GROUP BY origin) SELECT count(DISTINCT l.record_id) FROM sync_log l"
                        + " JOIN ends e ON e.origin = l.origin AND l.version <= e.v WHERE l.table_name = 'notes'"
                        + " AND l.operation = 'INSERT' AND (CAST(json_extract(l.record_id, '$[0]') AS INTEGER) < 1000000"
                        + " OR CAST(json_extract(l.record_id, '$[0]') AS INTEGER) >= 2000000)"));
    }

    private void assertNoLockErrorsInLogs() throws Exception {
        for (JarNode n : nodes()) {
            assertThat(n.logText()).as(n.name + " log").doesNotContain("database is locked")
                    .doesNotContain("SQLITE_BUSY");
        }
    }

    /** Entries of the bulk (notes below 1,000,000, written on a) that {@code n} has stored. */
    private static long bulkEntriesStored(JarNode n) throws SQLException {
        return n.count("SELECT count(*) FROM sync_log WHERE table_name = 'notes'"
                + " AND CAST(json_extract(record_id, '$[0]') AS INTEGER) < 1000000");
    }

    private static long countNotesBelow(JarNode n, int id) throws SQLException {
        return n.count("SELECT count(*) FROM notes WHERE id < " + id);
    }

    private static tools.jackson.databind.JsonNode peer(JarNode n, JarNode peer) {
        String body = n.get("/peers").body();
        for (tools.jackson.databind.JsonNode p : JSON.readTree(body)) {
            if (peer.deviceId().equals(p.path("key").asString())) {
                return p;
            }
        }
        throw new AssertionError(n.name + " does not list " + peer.name + " in /peers: " + body);
    }

    private static int failedRounds(JarNode n, JarNode peer) {
        return peer(n, peer).path("failedRounds").asInt();
    }

    /**
     * Writes notes {@code first .. first+count-1} through the app's own connection, 1,000 rows per
     * transaction, as docs/operations.md asks of apps: one huge transaction would hold the single write
     * lock longer than the node's busy timeout.
     */
    private static void insertNotes(JarNode n, int first, int count) throws SQLException {
        try (Connection conn = n.connect(30_000);
             PreparedStatement insert = conn.prepareStatement("INSERT INTO notes (id, body, author) VALUES (?, ?, ?)")) {
            conn.setAutoCommit(false);
            for (int i = first; i < first + count; i++) {
                insert.setInt(1, i);
                insert.setString(2, "note " + i + " " + "x".repeat(80));
                insert.setString(3, n.name);
                insert.addBatch();
                if ((i - first + 1) % 1000 == 0 || i == first + count - 1) {
                    insert.executeBatch();
                    conn.commit();
                }
            }
        }
    }

    private JarNode node(String name) throws Exception {
        Path data = dir.resolve(name);
        java.nio.file.Files.createDirectories(data);
        // The app's database exists before p2p-sync joins it: the node adds its sync tables, with no flags.
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("p2psync.db"));
             Statement s = conn.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, author TEXT)");
        }
        return new JarNode(name, data, List.of(
                "--p2psync.tables=notes",
                "--p2psync.capture.assigned-keys=notes",
                "--p2psync.sync.interval=" + INTERVAL,
                "--p2psync.sync.retry.max-attempts=2",
                "--p2psync.sync.retry.initial-backoff=200ms",
                "--p2psync.sync.breaker.open-duration=2s"));
    }

    private List<JarNode> nodes() {
        List<JarNode> all = new ArrayList<>();
        all.add(a);
        all.add(b);
        all.add(c);
        return all;
    }

    /**
     * Another program writing to a tracked table of one node's file through its own connection, one row per
     * statement in autocommit, as fast as it can with a short pause, with a busy timeout as apps set one.
     */
    static final class AppWriter implements AutoCloseable {
        private final JarNode node;
        private final int firstId;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger written = new AtomicInteger();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private Thread thread;

        AppWriter(JarNode node, int firstId) {
            this.node = node;
            this.firstId = firstId;
        }

        void start() {
            thread = new Thread(this::run, "app-writer-" + node.name);
            thread.start();
        }

        private void run() {
            try (Connection conn = node.connect(5_000);
                 PreparedStatement insert = conn.prepareStatement("INSERT INTO notes (id, body, author) VALUES (?, ?, 'app')")) {
                while (running.get()) {
                    int id = firstId + written.get();
                    insert.setInt(1, id);
                    insert.setString(2, "app note " + id);
                    try {
                        insert.executeUpdate();
                        written.incrementAndGet();
                    } catch (SQLException e) {
                        failures.add(e.getMessage());
                        if (failures.size() > 20) {
                            return;
                        }
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            } catch (SQLException e) {
                failures.add("connection: " + e.getMessage());
            }
        }

        int written() {
            return written.get();
        }

        List<String> failures() {
            return failures;
        }

        void stopAndJoin() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        @Override
        public void close() throws InterruptedException {
            if (thread != null) {
                stopAndJoin();
            }
        }
    }
}
