package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.Node;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * Two real nodes paired by a person in a real browser, with nothing but the dashboard: each one's id read from
 * its first page, the other added by id and url on one, the caller approved (with its url) where it called in,
 * and a sync started with the button. Automatic sync is off, so every round is one the browser asked for.
 */
class DashboardPairingIT {

    @TempDir
    Path dir;
    private Node a;
    private Node b;
    private Browser browser;

    @BeforeEach
    void start() {
        a = Node.start("laptop", dir.resolve("a"), "p2psync.sync.auto=false");
        b = Node.start("phone", dir.resolve("b"), "p2psync.sync.auto=false");
        browser = Browser.open();
    }

    @AfterEach
    void stop() throws Exception {
        Browser.closeAll(browser, a, b);
    }

    @Test
    void pairsTwoNodesEntirelyThroughTheDashboardAndTheySync() {
        String aId = deviceIdShownBy(a);
        String bId = deviceIdShownBy(b);
        assertThat(aId).isEqualTo(a.id.toString());
        assertThat(bId).isEqualTo(b.id.toString());

        // On the laptop: add the phone by id and url.
        browser.go(a.url + "/dashboard/devices");
        browser.find("#add-id").sendKeys(bId);
        browser.find("#add-name").sendKeys("phone");
        browser.find("#add-url").sendKeys(b.url);
        browser.clickAndLoad("#add button[type=submit]");
        assertThat(browser.text(".notice")).contains("added");
        assertThat(browser.text("#authorized")).contains(bId).contains("phone");

        // Its first round reaches the phone, which does not know it yet: the phone lists it as pending.
        a.put("greeting", "hello from the laptop");
        browser.go(a.url + "/dashboard/peers");
        browser.clickAndLoad("#sync-all");
        browser.go(b.url + "/dashboard/devices");
        WebElement pending = browser.reloadUntil("#pending tr[data-device]", aId);
        assertThat(browser.text(".sidebar")).as("the badge counts it").contains("Devices\n1");

        // On the phone: approve the laptop, giving its url so the phone calls it too.
        pending.findElement(org.openqa.selenium.By.name("name")).sendKeys("laptop");
        pending.findElement(org.openqa.selenium.By.name("url")).sendKeys(a.url);
        browser.clickAndLoad(pending.findElement(org.openqa.selenium.By.cssSelector("button.good")));
        assertThat(browser.text(".notice")).contains("approved");
        assertThat(browser.text("#authorized")).contains(aId).contains("laptop");
        assertThat(browser.has("#pending tr[data-device]")).isFalse();

        // Sync now from the laptop's dashboard: the round completes and the phone has the laptop's value.
        browser.go(a.url + "/dashboard/peers");
        browser.clickAndLoad("#sync-all");
        browser.reloadUntil("tr[data-peer='" + bId + "'] .state", "in sync");
        assertThat(browser.text("tr[data-peer='" + bId + "'] .last-round")).contains("pushed 1");

        browser.go(b.url + "/dashboard/data?table=sync_kv");
        assertThat(browser.text("#rows")).contains("greeting").contains("hello from the laptop");

        JsonNode laptopAtPhone = deviceAt(b, aId);
        assertThat(laptopAtPhone.path("status").asString()).isEqualTo("AUTHORIZED");
        assertThat(laptopAtPhone.path("url").asString()).isEqualTo(a.url);
        assertThat(deviceAt(a, bId).path("status").asString()).isEqualTo("AUTHORIZED");

        // The phone's activity page hears of the next change as it arrives, without being loaded again.
        browser.go(b.url + "/dashboard/activity");
        browser.await("#live.on");
        assertThat(browser.text("#feed")).doesNotContain("sync_kv [\"later\"]");
        a.put("later", "arrives live");
        a.syncNow();
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, Browser.WAIT)
                .until(d -> browser.text("#feed").contains("Received from laptop"));
        assertThat(browser.text("#feed li.received")).contains("sync_kv [\"later\"]");
    }

    private String deviceIdShownBy(Node node) {
        browser.go(node.url + "/");
        assertThat(browser.find("svg.qr").getDomAttribute("viewBox")).as("a QR code is drawn").isNotBlank();
        assertThat(browser.has("button[data-copy=device-id]")).isTrue();
        return browser.find("#device-id").getAttribute("value");
    }

    private static JsonNode deviceAt(Node node, String id) {
        return node.get("/devices/" + id).json();
    }
}
