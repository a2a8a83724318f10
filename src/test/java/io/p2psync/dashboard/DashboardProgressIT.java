package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.sync.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A large sync watched on the peers page: the progress bar appears, its value moves while the round runs, and
 * it is gone when the round has ended with the peer in sync. The node that answers holds its answers to the
 * second and third pull pages until the test lets each go ({@link HeldPulls}), so the bar is looked at between
 * pages, whatever the speed of the machine.
 */
class DashboardProgressIT {

    private static final int ROWS = 3000;
    private static final int PAGE = 1000;

    @TempDir
    Path dir;
    private Node a;
    private Node b;
    private Browser browser;

    @BeforeEach
    void start() {
        a = Node.start("server", dir.resolve("a"), List.of(HeldPulls.class), "p2psync.sync.auto=false");
        b = Node.start("laptop", dir.resolve("b"), "p2psync.sync.auto=false", "p2psync.sync.pull-page-size=" + PAGE);
        a.pairWith(b);
        b.pairWith(a);
        browser = Browser.open();
    }

    @AfterEach
    void stop() throws Exception {
        Browser.closeAll(browser, a, b);
    }

    @Test
    void theProgressBarOfALargeSyncMovesAndGoesWhenTheRoundEnds() throws Exception {
        writeRows(a, ROWS);
        HeldPulls gate = a.context.getBean(HeldPulls.class);
        gate.hold(2, 3);
        String peer = "tr[data-peer='" + a.id + "']";

        browser.go(b.url + "/dashboard/peers");
        browser.clickAndLoad("#sync-all");

        assertThat(gate.awaitHeld()).as("the second page was asked for").isTrue();
        long first = barValueOnceAtLeast(peer, PAGE);
        assertThat(browser.text(peer + " .progress-text")).contains("of " + ROWS).contains("/s");
        gate.letOneGo();

        assertThat(gate.awaitHeld()).as("the third page was asked for").isTrue();
        long second = barValueOnceAtLeast(peer, 2 * PAGE);
        gate.letOneGo();

        assertThat(first).isPositive().isLessThan(ROWS);
        assertThat(second).as("the bar moved").isGreaterThan(first).isLessThan(ROWS);

        new WebDriverWait(browser.driver, Browser.WAIT).ignoring(StaleElementReferenceException.class)
                .until(d -> !browser.has(peer + " progress")
                && browser.text(peer + " .state").equals("in sync"));
        assertThat(browser.text(peer + " .last-round")).contains("pulled " + ROWS);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.get("/status").json().path("logEntries").asLong() >= ROWS);
    }

    /**
     * Waits for the page (which replaces its table every second) to show the bar at {@code atLeast} or more, and
     * answers its value, read with its other attributes in one step from the page as it is.
     */
    private long barValueOnceAtLeast(String peer, long atLeast) {
        List<?> bar = new WebDriverWait(browser.driver, Browser.WAIT).until(d -> {
            Object read = browser.script("var p = document.querySelector(arguments[0]);"
                    + " return p ? [p.getAttribute('data-done'), p.getAttribute('value'), p.getAttribute('max')] : null;",
                    peer + " progress[data-done]");
            return read instanceof List<?> l && Long.parseLong((String) l.get(0)) >= atLeast ? l : null;
        });
        long value = Long.parseLong((String) bar.get(1));
        assertThat(value).isEqualTo(Long.parseLong((String) bar.get(0)));
        assertThat(bar.get(2)).as("the bar's end is the round's size").isEqualTo(String.valueOf(ROWS));
        return value;
    }

    private static void writeRows(Node node, int rows) {
        JdbcClient jdbc = node.context.getBean(JdbcClient.class);
        ChangeTracker tracker = node.context.getBean(ChangeTracker.class);
        long before = tracker.count();
        for (int i = 0; i < rows; i++) {
            jdbc.sql("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)")
                    .params("bulk-" + i, "value " + i, Instant.now().toString()).update();
        }
        tracker.sealPending();
        await().atMost(Duration.ofSeconds(60)).until(() -> tracker.count() >= before + rows);
    }
}
