package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.testing.CountWatcher;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions arrive whole with live sync on: the app ({@code sqlite3}) on one device writes 1,000 rows in
 * one transaction; gossip carries the group's signed last entry, the other device sees the gap and pulls the
 * group, and another program there counts the rows again and again meanwhile. It must only ever see none or
 * all of them.
 */
class TransactionGroupsLiveIT {

    private static final int ROWS = 1000;
    private static final String SCHEMA = "CREATE TABLE items (id TEXT PRIMARY KEY, batch TEXT, n INTEGER);";

    @TempDir
    Path dir;

    @Test
    void aThousandRowTransactionIsNeverSeenHalfAppliedWhileGossiped() {
        SqliteCli laptopApp = new SqliteCli(dir.resolve("laptop.db"));
        SqliteCli phoneApp = new SqliteCli(dir.resolve("phone.db"));
        laptopApp.exec(SCHEMA);
        phoneApp.exec(SCHEMA);
        // No scheduled REST rounds, and a rate limit above the burst: the entries come by gossip.
        try (LiveTestNode laptop = LiveTestNode.start("laptop", dir.resolve("laptop-data"), "p2psync.tables=items",
                     "p2psync.database=" + laptopApp.file(), "p2psync.sync.auto=false", "p2psync.libp2p.rate-limit=100000");
             LiveTestNode phone = LiveTestNode.start("phone", dir.resolve("phone-data"), "p2psync.tables=items",
                     "p2psync.database=" + phoneApp.file(), "p2psync.sync.auto=false", "p2psync.libp2p.rate-limit=100000")) {
            laptop.pairWith(phone);
            phone.pairWith(laptop);
            await().atMost(Duration.ofSeconds(20)).until(() -> laptop.meshedWith(phone) && phone.meshedWith(laptop));
            // the catch-up each runs when they connect is over before the app writes
            await().atMost(Duration.ofSeconds(20)).until(() -> laptop.rounds(phone, "connected") > 0
                    && phone.rounds(laptop, "connected") > 0);
            double gapRoundsBefore = phone.rounds(laptop, "gap");

            try (CountWatcher reader = new CountWatcher(phoneApp.file(), "SELECT COUNT(*) FROM items")) {
                laptopApp.exec("BEGIN; WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < " + ROWS
                        + ") INSERT INTO items SELECT 'item-' || n, 'one', n FROM i; COMMIT;");
                await().atMost(Duration.ofSeconds(40)).until(() -> reader.seen().contains((long) ROWS));
                assertThat(reader.seen()).as("counts the phone's reader saw while entries were gossiped")
                        .isSubsetOf(0L, (long) ROWS);
            }
            // Gossip carried the group's signed end only (its other entries are unsigned and never gossiped):
            // the phone saw the gap and pulled the whole group over REST at once.
            // (the round is counted when it completes, after it applied the group)
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    phone.rounds(laptop, "gap") - gapRoundsBefore).as("catch-up rounds on a gap").isPositive());
            assertThat(phoneApp.dump("items")).isEqualTo(laptopApp.dump("items"));
        }
    }
}
