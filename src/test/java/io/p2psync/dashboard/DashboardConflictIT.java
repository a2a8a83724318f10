package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.sync.Node;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * Conflicts settled by a person in the browser, on the side-by-side view of one node, and seen settled on the
 * other: the row takes the chosen value there too, and that node's own copy of the conflict is closed. The
 * key-value table is under the {@code manual} policy, so every conflict waits for a person; automatic sync is
 * off, so the rounds are the ones the test asks for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardConflictIT {

    @TempDir
    static Path dir;
    private Node a;
    private Node b;
    private Browser browser;

    @BeforeAll
    void start() {
        String[] props = {"p2psync.sync.auto=false", "p2psync.conflicts.policy.[sync_kv]=manual"};
        a = Node.start("laptop", dir.resolve("a"), props);
        b = Node.start("phone", dir.resolve("b"), props);
        a.pairWith(b);
        b.pairWith(a);
        browser = Browser.open();
    }

    @AfterAll
    void stop() throws Exception {
        Browser.closeAll(browser, a, b);
    }

    @Test
    void takingTheRemoteSideInTheSideBySideViewSettlesTheConflictOnTheOtherNodeToo() {
        long id = conflictOnB("colour", "blue", "green");

        browser.go(b.url + "/dashboard/conflicts");
        assertThat(browser.text("#pending")).contains("sync_kv").contains("colour");
        browser.clickAndLoad("#pending a[href='/dashboard/conflicts/" + id + "']");

        WebElement value = browser.find("#sides tr[data-column=value]");
        assertThat(value.getAttribute("class")).contains("changed");
        assertThat(value.findElement(org.openqa.selenium.By.cssSelector(".local")).getText()).isEqualTo("green");
        assertThat(value.findElement(org.openqa.selenium.By.cssSelector(".remote")).getText()).isEqualTo("blue");
        assertThat(value.getText()).contains("changed");
        WebElement key = browser.find("#sides tr[data-column=key]");
        assertThat(key.getAttribute("class")).doesNotContain("changed");

        browser.clickAndLoad("#take-remote");
        assertThat(browser.text("#conflict-status")).isEqualTo("resolved");
        assertThat(browser.has("#settle")).as("nothing left to settle").isFalse();
        assertThat(b.get("/kv/colour").json().path("value").asString()).isEqualTo("blue");

        syncFromTheDashboardOf(b);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.get("/kv/colour").json().path("value").asString()).isEqualTo("blue");
            assertThat(pendingConflicts(a)).as("a's copy of the conflict is settled too").isZero();
        });
    }

    @Test
    void aRowWrittenByHandSettlesTheConflictEverywhereAndMalformedJsonChangesNothing() {
        long id = conflictOnB("size", "S", "M");
        browser.go(b.url + "/dashboard/conflicts/" + id);

        browser.find("#row").clear();
        browser.find("#row").sendKeys("{\"value\": ");
        browser.clickAndLoad("#write-row");
        assertThat(browser.text("#error")).contains("HTTP 400").contains("not valid JSON");
        assertThat(b.get("/conflicts/" + id).json().path("status").asString()).isEqualTo("pending");

        browser.go(b.url + "/dashboard/conflicts/" + id);
        browser.find("#row").clear();
        browser.find("#row").sendKeys("{\"value\": \"L\"}");
        browser.clickAndLoad("#write-row");
        assertThat(browser.text("#conflict-status")).isEqualTo("resolved");
        assertThat(browser.text("main")).contains("manual: data");

        syncFromTheDashboardOf(b);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.get("/kv/size").json().path("value").asString()).isEqualTo("L");
            assertThat(b.get("/kv/size").json().path("value").asString()).isEqualTo("L");
        });
    }

    /** Both nodes write {@code key} unaware of each other; b pulls a's value and holds the conflict. */
    private long conflictOnB(String key, String onA, String onB) {
        a.put(key, onA);
        b.put(key, onB);
        b.syncNow();
        JsonNode pending = b.get("/conflicts?status=pending&table=sync_kv").json().path("items");
        for (JsonNode c : pending) {
            if (c.path("recordId").asString().contains(key)) {
                return c.path("id").asLong();
            }
        }
        throw new AssertionError("no pending conflict on " + key + ": " + pending);
    }

    private void syncFromTheDashboardOf(Node node) {
        browser.go(node.url + "/dashboard/peers");
        browser.clickAndLoad("#sync-all");
        assertThat(browser.text(".notice")).contains("Started a round with 1 peer");
    }

    private static long pendingConflicts(Node node) {
        return node.get("/conflicts?status=pending").json().path("total").asLong();
    }
}
