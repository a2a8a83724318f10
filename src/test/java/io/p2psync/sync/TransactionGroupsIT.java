package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.testing.CountWatcher;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions arrive whole over REST: the app ({@code sqlite3}) on the laptop writes 1,000 rows in one
 * transaction; while the phone receives them, in pulled pages and in pushes of 300 entries (so the group of
 * 1,000 entries is split over requests and over the receiver's 256-entry write transactions), another
 * program on the phone counts the rows again and again. It must only ever see none or all of them.
 */
class TransactionGroupsIT {

    private static final int ROWS = 1000;
    private static final String SCHEMA = "CREATE TABLE items (id TEXT PRIMARY KEY, batch TEXT, n INTEGER);"
            + "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE);";
    private static final String[] PROPS = {"p2psync.tables=items,users", "p2psync.sync.auto=false",
            "p2psync.sync.pull-page-size=300", "p2psync.sync.push-page-size=300"};

    @TempDir
    Path dir;

    private AppDevices devices;

    @BeforeEach
    void apps() {
        devices = new AppDevices(dir, SCHEMA, PROPS);
    }

    @AfterEach
    void stop() {
        devices.close();
    }

    @Test
    void aThousandRowTransactionIsNeverSeenHalfAppliedWhilePulledOrPushed() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        // both start at once: a node takes a while to start on a busy machine
        // one after the other: Spring Boot's logging set-up is not safe for two applications starting at once
        Node laptop = devices.node("laptop", laptopApp);
        Node phone = devices.node("phone", phoneApp);
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        laptopApp.exec("BEGIN; WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < " + ROWS + ")"
                + " INSERT INTO items SELECT 'item-' || n, 'one', n FROM i; COMMIT;");
        // the capture poller seals it in several batches of its own, as it does for any large write
        await().atMost(Duration.ofSeconds(30)).until(() -> laptop.logEntries() >= ROWS);

        try (CountWatcher reader = new CountWatcher(phoneApp.file(), "SELECT COUNT(*) FROM items WHERE batch = 'one'")) {
            phone.syncNow(); // the phone pulls pages of 300
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.seen().contains((long) ROWS));
            assertThat(reader.seen()).as("counts the phone's reader saw while pulling").isSubsetOf(0L, (long) ROWS);
        }

        laptopApp.exec("BEGIN; UPDATE items SET batch = 'two', n = n + 1; COMMIT;");
        await().atMost(Duration.ofSeconds(30)).until(() -> laptop.logEntries() >= 2 * ROWS);
        try (CountWatcher reader = new CountWatcher(phoneApp.file(), "SELECT COUNT(*) FROM items WHERE batch = 'two'")) {
            laptop.syncNow(); // the laptop pushes requests of 300
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.seen().contains((long) ROWS));
            assertThat(reader.seen()).as("counts the phone's reader saw while receiving pushes").isSubsetOf(0L, (long) ROWS);
        }
        assertThat(phoneApp.dump("items")).isEqualTo(laptopApp.dump("items"));
    }

    @Test
    void aRowThatTakesTheUniqueValueAnotherGivesUpInTheSameTransactionIsNoConflict() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        // one after the other: Spring Boot's logging set-up is not safe for two applications starting at once
        Node laptop = devices.node("laptop", laptopApp);
        Node phone = devices.node("phone", phoneApp);
        laptop.pairWith(phone);
        phone.pairWith(laptop);
        laptopApp.exec("INSERT INTO users VALUES ('a', 'ana@example.org'); INSERT INTO users VALUES ('b', 'bo@example.org');");
        laptop.syncNow();
        assertThat(phoneApp.dump("users")).containsExactly("'a'|'ana@example.org'", "'b'|'bo@example.org'");

        // In one transaction b gives up its address and a takes it. Row a was touched first, so it is sealed
        // first: put on the phone in that order, a would clash with b, which still holds the address.
        laptopApp.exec("BEGIN; UPDATE users SET email = 'moving' WHERE id = 'a';"
                + " UPDATE users SET email = 'bo@example.net' WHERE id = 'b';"
                + " UPDATE users SET email = 'bo@example.org' WHERE id = 'a'; COMMIT;");
        laptop.syncNow();
        assertThat(phoneApp.dump("users")).containsExactly("'a'|'bo@example.org'", "'b'|'bo@example.net'");
        assertThat(phone.get("/sync/held").json().path("count").asLong()).isZero();
        // not even one that was settled by itself a moment later: there never was a clash
        assertThat(phone.get("/conflicts").json().path("items")).as("conflicts recorded on the phone").isEmpty();
    }
}
