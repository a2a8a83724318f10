package io.p2psync.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BrowserTokensTest {

    private final BrowserTokens tokens = new BrowserTokens();

    @Test
    void aCsrfTokenIsGoodForTheBrowserItWasMadeForOnly() {
        String mine = BrowserTokens.newBrowserId();
        String theirs = BrowserTokens.newBrowserId();
        assertThat(tokens.isCsrfToken(mine, tokens.csrfToken(mine))).isTrue();
        assertThat(tokens.isCsrfToken(mine, tokens.csrfToken(theirs))).isFalse();
        assertThat(tokens.isCsrfToken(mine, null)).isFalse();
        assertThat(tokens.isCsrfToken(mine, "")).isFalse();
        assertThat(new BrowserTokens().isCsrfToken(mine, tokens.csrfToken(mine))).as("another node's key").isFalse();
    }

    @Test
    void aLoginIsGoodForItsBrowserUntilItExpiresAndCannotBeStretched() {
        String browser = BrowserTokens.newBrowserId();
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        String login = tokens.login(browser, now.plusSeconds(3600));
        assertThat(tokens.isLogin(browser, login, now)).isTrue();
        assertThat(tokens.isLogin(browser, login, now.plusSeconds(3600))).as("expired").isFalse();
        assertThat(tokens.isLogin(BrowserTokens.newBrowserId(), login, now)).as("another browser").isFalse();
        String stretched = (now.plusSeconds(999_999).getEpochSecond()) + login.substring(login.indexOf('.'));
        assertThat(tokens.isLogin(browser, stretched, now)).as("a later expiry under the old signature").isFalse();
        assertThat(tokens.isLogin(browser, "garbage", now)).isFalse();
        assertThat(tokens.isLogin(browser, "x.y", now)).isFalse();
        assertThat(tokens.isLogin(browser, null, now)).isFalse();
    }

    @Test
    void onlyWellFormedBrowserIdsAreTaken() {
        assertThat(BrowserTokens.isBrowserId(BrowserTokens.newBrowserId())).isTrue();
        assertThat(BrowserTokens.isBrowserId("short")).isFalse();
        assertThat(BrowserTokens.isBrowserId("aaaaaaaaaaaaaaaaaaaa;b")).isFalse();
        assertThat(BrowserTokens.isBrowserId(null)).isFalse();
    }
}
