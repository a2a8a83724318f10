package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;

/**
 * The dashboard's two rules, each tested as a browser meets it: from another address the admin token is
 * needed (a node in a network namespace of its own, reached over a veth pair, so its caller is not on
 * loopback), and a form that does not carry this browser's CSRF token changes nothing.
 */
class DashboardAdminRuleIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().build();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void fromAnotherAddressTheDashboardNeedsTheAdminTokenGivenInTheLoginForm() throws Exception {
        String token = "t-" + UUID.randomUUID();
        try (NamespacedNode node = NamespacedNode.start(dir.resolve("far"), List.of("--p2psync.admin-token=" + token));
             Browser browser = Browser.open()) {
            String id = node.get("/status").body().replaceAll(".*\"deviceId\":\"([^\"]+)\".*", "$1");
            assertThat(id).startsWith("12D3KooW");
            for (String page : List.of("/", "/dashboard/devices", "/dashboard/peers", "/dashboard/conflicts",
                    "/dashboard/data", "/dashboard/activity", "/dashboard/activity/stream")) {
                HttpResponse<String> refused = node.get(page);
                assertThat(refused.statusCode()).as("GET %s without the token", page).isEqualTo(401);
                assertThat(refused.body()).as(page).contains("admin token").doesNotContain(id);
            }

            browser.go(node.url + "/");
            assertThat(browser.has("#token")).as("the login form").isTrue();
            assertThat(browser.has("#device-id")).isFalse();

            browser.find("#token").sendKeys("not-the-token");
            browser.clickAndLoad("#login");
            assertThat(browser.text("#login-message")).contains("not this node's admin token");
            assertThat(browser.has("#device-id")).isFalse();

            browser.find("#token").sendKeys(token);
            browser.clickAndLoad("#login");
            assertThat(browser.has("#device-id")).as("logged in").isTrue();
            assertThat(browser.find("#device-id").getAttribute("value")).isEqualTo(id);
            assertThat(browser.driver.getCurrentUrl()).doesNotContain(token).doesNotContain("_csrf");
            Cookie login = browser.driver.manage().getCookieNamed(DashboardAccess.LOGIN_COOKIE);
            assertThat(login.isHttpOnly()).isTrue();
            assertThat(login.getSameSite()).isEqualTo("Strict");
            assertThat(login.getValue()).doesNotContain(token);

            String other = PrivateKey.generate().peerId().toString();
            browser.go(node.url + "/dashboard/devices");
            browser.find("#add-id").sendKeys(other);
            browser.clickAndLoad("#add button[type=submit]");
            assertThat(browser.text("#authorized")).as("a form works once logged in").contains(other);

            browser.clickAndLoad(".sidebar button"); // log out
            browser.go(node.url + "/dashboard/devices");
            assertThat(browser.has("#token")).as("logged out").isTrue();
            assertThat(browser.source()).doesNotContain(other);
            assertThat(Files.readString(node.log)).as("the node's log").doesNotContain(token);
        }
    }

    @Test
    void aFormWithoutThisBrowsersCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        try (Node node = Node.start("here", dir.resolve("here"), "p2psync.sync.auto=false");
             Browser browser = Browser.open()) {
            String forged = PrivateKey.generate().peerId().toString();
            browser.go(node.url + "/dashboard/devices");
            browser.find("#add-id").sendKeys(forged);
            browser.script("document.querySelector('#add input[name=_csrf]').value = 'forged'");
            browser.clickAndLoad("#add button[type=submit]");
            assertThat(browser.text("#error")).contains("HTTP 403").contains("Nothing was changed");

            browser.go(node.url + "/dashboard/devices");
            browser.find("#add-id").sendKeys(forged);
            browser.script("document.querySelector('#add input[name=_csrf]').remove()");
            browser.clickAndLoad("#add button[type=submit]");
            assertThat(browser.text("#error")).contains("HTTP 403");
            assertThat(node.get("/devices").body()).doesNotContain(forged);

            // Without a browser cookie, with the cookie but no token, with another browser's token: all refused.
            String form = "deviceId=" + URLEncoder.encode(forged, StandardCharsets.UTF_8);
            assertThat(post(node, form, null)).isEqualTo(403);
            Visit mine = visit(node);
            Visit theirs = visit(node);
            assertThat(post(node, form, mine.cookie)).isEqualTo(403);
            assertThat(post(node, form + "&_csrf=" + theirs.csrf, mine.cookie)).isEqualTo(403);
            assertThat(node.get("/devices").body()).doesNotContain(forged);

            // The same request with this browser's own token goes through: the token is what was refused.
            assertThat(post(node, form + "&_csrf=" + mine.csrf, mine.cookie)).isEqualTo(302);
            assertThat(node.get("/devices").body()).contains(forged);
        }
    }

    /** A browser's id cookie and the CSRF token its pages carry. */
    private record Visit(String cookie, String csrf) {
    }

    private static Visit visit(Node node) throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(node.url + "/dashboard/devices"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        assertThat(cookie).startsWith(DashboardAccess.BROWSER_COOKIE + "=");
        assertThat(page.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Strict");
        Matcher csrf = CSRF.matcher(page.body());
        assertThat(csrf.find()).as("every form carries the token").isTrue();
        return new Visit(cookie, URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8));
    }

    private static int post(Node node, String form, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url + "/dashboard/devices"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
