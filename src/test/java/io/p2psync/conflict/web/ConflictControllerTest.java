package io.p2psync.conflict.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.Kind;
import io.p2psync.changes.RemoteChangeApplier;
import io.p2psync.changes.StandaloneDevice;
import io.p2psync.changes.VersionVector;
import io.p2psync.conflict.ConflictRepository;
import io.p2psync.conflict.ConflictStatus;
import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The /conflicts endpoints on a real node (SQLite file, change log, applier) under the manual policy; the
 * conflicts are real: another device, wired by hand on its own file, edits the same keys concurrently.
 */
@SpringBootTest
@AutoConfigureMockMvc
// The node runs on in the context cache after the class; its timers (held-entry retries, the capture poll) then
// wrote into the data dir while JUnit deleted it, and the class failed. Its properties are its own, so the context
// is never reused: closing it after the class costs nothing.
@org.springframework.test.annotation.DirtiesContext
class ConflictControllerTest {

    @TempDir
    static Path dataDir;
    static StandaloneDevice other;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.resolve("node").toString());
        registry.add("p2psync.conflicts.default-policy", () -> "manual");
        // a resolution waits this long for a table that is not ready before it is refused (10 s by default)
        registry.add("p2psync.capture.readiness-wait", () -> "1s");
    }

    @BeforeAll
    static void otherDevice() {
        other = new StandaloneDevice(dataDir.resolve("other.db"), List.of(), System::currentTimeMillis, List.of());
    }

    @AfterAll
    static void closeOther() {
        other.close();
    }

    @Autowired
    MockMvc mvc;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    ChangeTracker tracker;
    @Autowired
    RemoteChangeApplier applier;
    @Autowired
    ConflictRepository conflicts;
    @Autowired
    ApplicationContext context;
    @Autowired
    P2pSyncSettings settings;

    private void writeHere(String key, String value) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, '2026-01-01T00:00:00Z') "
                    + "ON CONFLICT (key) DO UPDATE SET value = excluded.value").params(key, value).update();
            tracker.sealPending();
        });
    }

    /** Makes a pending conflict on a fresh key: both devices change it after both saw it created here. */
    private long pendingConflict(String key) {
        writeHere(key, "v0");
        other.applier().apply(tracker.missingFrom(other.tracker().versionVector(), 10_000), "node");
        writeHere(key, "here");
        other.write("UPDATE sync_kv SET value = 'there' WHERE key = ?", key);
        applier.apply(other.tracker().missingFrom(tracker.versionVector(), 10_000), other.id());
        return conflicts.find(ConflictStatus.PENDING, "sync_kv", 0, 500).items().stream()
                .filter(c -> c.recordId().equals(recordId(key))).findFirst().orElseThrow().id();
    }

    private String valueOf(String key) {
        return jdbc.sql("SELECT value FROM sync_kv WHERE key = ?").param(key).query(String.class).single();
    }

    /** The record id of a sync_kv key: the key as a JSON array. */
    private static String recordId(String key) {
        return "[\"" + key + "\"]";
    }

    private static String key() {
        return "k-" + UUID.randomUUID();
    }

    @Test
    void listsPendingConflictsFilteredByStatusAndTable() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        mvc.perform(get("/conflicts").param("status", "pending").param("table", "sync_kv").param("size", "500"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.items[?(@.id == " + id + ")].recordId").value(recordId(key)))
                .andExpect(jsonPath("$.page").value(0))
                .andExpect(jsonPath("$.size").value(500));
        mvc.perform(get("/conflicts").param("table", "no_such_table"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(0))
                .andExpect(jsonPath("$.items").isEmpty());
    }

    @Test
    void pagesNewestFirst() throws Exception {
        long older = pendingConflict(key());
        long newer = pendingConflict(key());
        mvc.perform(get("/conflicts").param("size", "1").param("page", "0"))
                .andExpect(jsonPath("$.items[0].id").value(newer));
        assertThat(older).isLessThan(newer);
    }

    @Test
    void answersOneConflictWithBothSides() throws Exception {
        long id = pendingConflict(key());
        mvc.perform(get("/conflicts/{id}", id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("pending"))
                .andExpect(jsonPath("$.policy").value("manual"))
                .andExpect(jsonPath("$.local.data.value").value("here"))
                .andExpect(jsonPath("$.remote.data.value").value("there"))
                .andExpect(jsonPath("$.remote.deviceId").value(other.id()))
                .andExpect(jsonPath("$.remote.version." + other.id()).isNumber())
                .andExpect(jsonPath("$.resolution").doesNotExist());
    }

    @Test
    void unknownConflictIsNotFoundWithAProblemBody() throws Exception {
        mvc.perform(get("/conflicts/{id}", 999_999))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.detail").value("no conflict with id 999999"));
        mvc.perform(post("/conflicts/{id}/resolve", 999_999).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"strategy\":\"local\"}"))
                .andExpect(status().isNotFound());
        mvc.perform(post("/conflicts/{id}/ignore", 999_999)).andExpect(status().isNotFound());
    }

    @Test
    void resolvesWithAStrategyAndLogsTheResolution() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        assertThat(valueOf(key)).isEqualTo("here");

        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"strategy\":\"remote\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("resolved"))
                .andExpect(jsonPath("$.resolution").value(containsString("manual: remote")))
                .andExpect(jsonPath("$.resolvedAt").isString());

        assertThat(valueOf(key)).isEqualTo("there");
        var last = tracker.missingFrom(VersionVector.EMPTY, 10_000).stream().filter(e -> e.recordId().equals(recordId(key)))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(last.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(last.base().get(other.id())).isPositive();
    }

    @Test
    void resolvesWithAHandWrittenRow() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"data\":{\"value\":\"both\"}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.resolution").value(containsString("manual: data")));
        assertThat(valueOf(key)).isEqualTo("both");
    }

    @Test
    void resolvingAConflictThatIsNotPendingIsAConflict() throws Exception {
        long id = pendingConflict(key());
        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                .content("{\"strategy\":\"local\"}")).andExpect(status().isOk());

        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"strategy\":\"remote\"}"))
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(409))
                .andExpect(jsonPath("$.detail").value("conflict " + id + " is resolved, not pending"))
                .andExpect(jsonPath("$.conflictStatus").value("resolved"));
        mvc.perform(post("/conflicts/{id}/ignore", id)).andExpect(status().isConflict());
    }

    @Test
    void ignoringLeavesTheRowAndThenResolvingIsAConflict() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        long entries = tracker.count();
        mvc.perform(post("/conflicts/{id}/ignore", id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("ignored"));
        assertThat(valueOf(key)).isEqualTo("here");
        assertThat(tracker.count()).isEqualTo(entries);
        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                .content("{\"strategy\":\"local\"}")).andExpect(status().isConflict());
    }

    @Test
    void badResolveRequestsAreRejectedWithProblemBodies() throws Exception {
        long id = pendingConflict(key());
        for (String body : List.of("{}", "{\"strategy\":\"local\",\"data\":{\"value\":\"x\"}}",
                "{\"strategy\":\"newest\"}", "{\"data\":[1,2]}", "{\"data\":{\"colour\":\"red\"}}",
                "{\"data\":{\"key\":\"another-key\"}}", "{\"data\":{\"timestamp\":null}}")) {
            mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON).content(body))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        }
        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON).content("{not json"))
                .andExpect(status().isBadRequest());
        mvc.perform(get("/conflicts").param("status", "open")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("unknown status")));
        mvc.perform(get("/conflicts").param("size", "0")).andExpect(status().isBadRequest());
        mvc.perform(get("/conflicts/{id}", id)).andExpect(jsonPath("$.status").value("pending"));
    }

    /**
     * As the app re-creating sync_kv would (Debian's sqlite3 on the node's file): the capture triggers go, then the
     * app changes the value of {@code key}, which no trigger sees.
     */
    private void appDropsTheTriggersAndEdits(String key) {
        new SqliteCli(settings.databaseFile()).dropCaptureTriggers("sync_kv",
                "UPDATE sync_kv SET value = 'edited by the app' WHERE key = '" + key + "';");
    }

    /**
     * While the node has not noticed (its capture poll is paused here), the resolution waits up to 10 s, as an
     * apply does, then is refused with a problem that says to try again: nothing is written, the conflict stays
     * pending, and the app's edit is still there to be sealed.
     */
    @Test
    void aResolutionIsRefusedWithRetryAfterWhileTheTableIsNotReady() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        long entries = tracker.count();
        Lifecycle poller = context.getBean("capturePoller", Lifecycle.class);
        poller.stop();
        try {
            appDropsTheTriggersAndEdits(key);
            mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                            .content("{\"data\":{\"value\":\"by hand\"}}"))
                    .andExpect(status().isServiceUnavailable())
                    .andExpect(header().string("Retry-After", "5"))
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.type").value("urn:p2psync:problem:table-not-ready"))
                    .andExpect(jsonPath("$.title").value("Table not ready for writes"))
                    .andExpect(jsonPath("$.status").value(503))
                    .andExpect(jsonPath("$.tables[0]").value("sync_kv"))
                    .andExpect(jsonPath("$.detail").value(containsString("still pending")))
                    .andExpect(jsonPath("$.instance").value("/conflicts/" + id + "/resolve"));
            assertThat(valueOf(key)).isEqualTo("edited by the app");
            assertThat(conflicts.findById(id).orElseThrow().status()).isEqualTo(ConflictStatus.PENDING);
            assertThat(tracker.count()).isEqualTo(entries);
        } finally {
            poller.start();
        }
        // once the node has put the triggers back and sealed the edit, the same request goes through
        mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"data\":{\"value\":\"by hand\"}}"))
                .andExpect(status().isOk());
        assertThat(valueOf(key)).isEqualTo("by hand");
        assertThat(tracker.missingFrom(VersionVector.EMPTY, 10_000)).extracting(e -> e.data())
                .anyMatch(d -> d != null && d.contains("edited by the app"));
    }

    /**
     * The app drops the capture triggers of the table (as re-creating it does) and edits the row of a pending
     * conflict before the node notices. The resolution waits for the node to put the triggers back and seal the
     * app's edit, then is written on top of it: the edit is an entry of this node of its own, which other devices
     * get, and the resolution's base covers it. The capture poll is paused for a moment so the request surely
     * arrives while the table is not ready.
     */
    @Test
    void aResolutionSentWhileTheAppsEditIsUnsealedWaitsForItAndIsWrittenOnTopOfIt() throws Exception {
        String key = key();
        long id = pendingConflict(key);
        Lifecycle poller = context.getBean("capturePoller", Lifecycle.class);
        CompletableFuture<MvcResult> resolving;
        poller.stop();
        try {
            appDropsTheTriggersAndEdits(key);
            resolving = CompletableFuture.supplyAsync(() -> {
                try {
                    return mvc.perform(post("/conflicts/{id}/resolve", id).contentType(MediaType.APPLICATION_JSON)
                            .content("{\"strategy\":\"remote\"}")).andReturn();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(resolving).as("waits while the app's edit is unsealed").isNotDone();
            assertThat(valueOf(key)).isEqualTo("edited by the app");
        } finally {
            poller.start();
        }
        MvcResult result = resolving.get(20, TimeUnit.SECONDS);

        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        assertThat(valueOf(key)).isEqualTo("there");
        List<io.p2psync.changes.ChangeEntry> ofRow = tracker.missingFrom(VersionVector.EMPTY, 10_000).stream()
                .filter(e -> e.recordId().equals(recordId(key))).toList();
        var appEdit = ofRow.get(ofRow.size() - 2);
        var resolution = ofRow.get(ofRow.size() - 1);
        assertThat(appEdit.data()).contains("edited by the app");
        assertThat(resolution.kind()).isEqualTo(Kind.RESOLUTION);
        assertThat(resolution.base().dominates(appEdit.vector())).isTrue();
        assertThat(conflicts.findById(id).orElseThrow().status()).isEqualTo(ConflictStatus.RESOLVED);
    }
}
