package io.p2psync.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both named by path so that Selenium never
 * looks for (or downloads) a browser or a driver of its own. Missing binaries fail the test with the command
 * that installs them: a browser test that skips would prove nothing.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The size of every page the tests look at and every screenshot. */
    static final int WIDTH = 1280;
    static final int HEIGHT = 800;
    static final Duration WAIT = Duration.ofSeconds(60);

    final WebDriver driver;
    private final Path profile;

    private Browser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser open() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: the dashboard tests drive Debian's headless "
                        + "Chromium; install it with `apt-get install -y chromium chromium-driver` (.ci/run does)");
            }
        }
        try {
            Path profile = Files.createTempDirectory("p2psync-chromium-");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-dev-shm-usage", "--window-size=" + WIDTH + "," + HEIGHT, "--hide-scrollbars",
                    "--user-data-dir=" + profile);
            ChromeDriver driver = new ChromeDriver(service, options);
            // The window size includes what headless Chromium keeps for its frame; the page gets exactly this.
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    java.util.Map.of("width", WIDTH, "height", HEIGHT, "deviceScaleFactor", 1, "mobile", false));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Browser go(String url) {
        driver.get(url);
        return this;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    boolean has(String css) {
        return !all(css).isEmpty();
    }

    /**
     * The text of the first element {@code css} matches. The peers page replaces its table every second, so an
     * element found may be gone when read: then it is found again.
     */
    String text(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                return find(css).getText();
            } catch (StaleElementReferenceException replaced) {
                if (attempt == 5) {
                    throw replaced;
                }
            }
        }
    }

    /**
     * Clicks an element that loads a new page (a link, a form's button) and waits until the old page is gone
     * and the new one has loaded, so what is read next is the new page's: a click returns before that.
     */
    Browser clickAndLoad(WebElement element) {
        WebElement before = find("html");
        element.click();
        new WebDriverWait(driver, WAIT).until(d -> {
            try {
                before.isEnabled();
                return false;
            } catch (org.openqa.selenium.WebDriverException gone) {
                return true; // stale, or (chromedriver's words for it) no longer in the document
            }
        });
        new WebDriverWait(driver, WAIT).until(d -> "complete".equals(script("return document.readyState")));
        return this;
    }

    /** {@link #clickAndLoad(WebElement)} of the first element {@code css} matches. */
    Browser clickAndLoad(String css) {
        return clickAndLoad(find(css));
    }

    /** Waits until {@code css} matches an element, and answers the first. */
    WebElement await(String css) {
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    /** Reloads the page until {@code css} matches an element whose text contains {@code text}. */
    WebElement reloadUntil(String css, String text) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(300)).ignoring(StaleElementReferenceException.class)
                .until(d -> {
            for (WebElement e : d.findElements(By.cssSelector(css))) {
                if (e.getText().contains(text)) {
                    return e;
                }
            }
            d.navigate().refresh();
            return null;
        });
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** The page's HTML as the browser has it now. */
    String source() {
        return driver.getPageSource();
    }

    /** Closes each of {@code things} that was made (nulls are skipped), in order: a test's browser and nodes. */
    static void closeAll(AutoCloseable... things) throws Exception {
        for (AutoCloseable thing : things) {
            if (thing != null) {
                thing.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try {
                FileSystemUtils.deleteRecursively(profile);
            } catch (IOException e) {
                // a temporary profile; the OS cleans it up
            }
        }
    }
}
