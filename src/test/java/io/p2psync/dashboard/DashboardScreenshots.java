package io.p2psync.dashboard;

import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.HeldEntries;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Takes the screenshots of docs/dashboard.md: each page of a node ("laptop") at 1280×800 in headless Chromium,
 * with demo data made the way a person would make it: notes in an app table, key-value pairs, a phone paired
 * with it, a conflict under the manual policy, a device waiting for approval, an entry held for a column the
 * laptop lacks, and a large round stopped half-way for the peers page.
 *
 * <pre>./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.p2psync.dashboard.DashboardScreenshots [-Dexec.args=docs/screenshots]</pre>
 */
public final class DashboardScreenshots {

    private static final String NOTES = "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT)";

    private DashboardScreenshots() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/screenshots");
        Files.createDirectories(out);
        Path dir = Files.createTempDirectory("p2psync-screenshots-");
        Path laptopDb = app(dir.resolve("laptop.db"), true);
        Path phoneDb = app(dir.resolve("phone.db"), false);
        String[] common = {"p2psync.sync.auto=false", "p2psync.conflicts.policy.[sync_kv]=manual",
                "p2psync.tables=notes", "p2psync.sync.pull-page-size=500", "p2psync.libp2p.enabled=true",
                "p2psync.libp2p.port=0", "p2psync.libp2p.mdns=false", "p2psync.libp2p.host=127.0.0.1"};
        try (Node laptop = Node.start("laptop", dir.resolve("laptop"), List.of(), with(common,
                "p2psync.database=" + laptopDb));
             Node phone = Node.start("phone", dir.resolve("phone"), List.of(HeldPulls.class), with(common,
                     "p2psync.database=" + phoneDb));
             Browser browser = Browser.open()) {
            laptop.put("greeting", "hello from the laptop");
            laptop.put("theme", "dark");
            laptop.put("colour", "blue");
            phone.put("colour", "green");
            phone.put("ringtone", "marimba");
            laptop.pairWith(phone);
            phone.pairWith(laptop);
            laptop.syncNow();

            // The phone's app migrates first and pins a note: the laptop holds the value of the new column.
            JdbcClient phoneSql = phone.context.getBean(JdbcClient.class);
            phoneSql.sql("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0").update();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                phoneSql.sql("UPDATE notes SET pinned = 1, body = 'tent, map, stove' WHERE id = 'trip'").update();
                phone.context.getBean(ChangeTracker.class).sealPending();
                laptop.syncNow();
                return laptop.context.getBean(HeldEntries.class).count() > 0;
            });

            // A tablet called in and waits for approval.
            laptop.context.getBean(DeviceRepository.class).addPending(PrivateKey.generate().peerId(),
                    "100.64.0.7", Instant.now());

            // A large round, held half-way by the phone, for the peers page.
            writeRows(phone, 2000);
            HeldPulls gate = phone.context.getBean(HeldPulls.class);
            gate.hold(3);
            CompletableFuture<Void> round = CompletableFuture.runAsync(laptop::syncNow);
            gate.awaitHeld();

            shoot(browser, laptop.url + "/dashboard/peers", out.resolve("peers.png"),
                    "progress[data-done]");
            gate.letOneGo();
            round.join();

            long conflict = laptop.get("/conflicts?status=pending").json().path("items").get(0).path("id").asLong();
            shoot(browser, laptop.url + "/", out.resolve("this-device.png"), "svg.qr");
            shoot(browser, laptop.url + "/dashboard/devices", out.resolve("devices.png"), "#pending");
            shoot(browser, laptop.url + "/dashboard/conflicts", out.resolve("conflicts.png"), "#pending");
            shoot(browser, laptop.url + "/dashboard/conflicts/" + conflict, out.resolve("conflict.png"), "#sides");
            shoot(browser, laptop.url + "/dashboard/data?table=notes", out.resolve("data.png"), "#rows");
            shoot(browser, laptop.url + "/dashboard/activity", out.resolve("activity.png"), "#live.on");
            System.out.println("screenshots in " + out.toAbsolutePath());
        }
    }

    /** The app's own file: a notes table, with two notes on the laptop. */
    private static Path app(Path file, boolean withNotes) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute(NOTES);
            if (withNotes) {
                s.execute("INSERT INTO notes VALUES ('groceries', 'Groceries', 'milk, eggs, coffee'),"
                        + " ('trip', 'Trip', 'tent, map'), ('books', 'Books to read', NULL)");
            }
        }
        return file;
    }

    private static void writeRows(Node node, int rows) {
        JdbcClient jdbc = node.context.getBean(JdbcClient.class);
        for (int i = 0; i < rows; i++) {
            jdbc.sql("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)")
                    .params(String.format("photo-%04d", i), "album 2026, picture " + i, Instant.now().toString()).update();
        }
        node.context.getBean(ChangeTracker.class).sealPending();
    }

    private static void shoot(Browser browser, String url, Path file, String waitFor) throws Exception {
        browser.go(url);
        browser.await(waitFor);
        new WebDriverWait(browser.driver, Browser.WAIT).until(d -> "complete".equals(browser.script("return document.readyState")));
        Path shot = ((TakesScreenshot) browser.driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static String[] with(String[] common, String... more) {
        String[] all = java.util.Arrays.copyOf(common, common.length + more.length);
        System.arraycopy(more, 0, all, common.length, more.length);
        return all;
    }
}
