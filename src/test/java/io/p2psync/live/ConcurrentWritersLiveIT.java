package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes made on one device by several clients at once (concurrent {@code PUT /kv} requests, each its own
 * group) go live by gossip, not by the REST catch-up behind it: the device publishes its entries in version
 * order though their commits publish on their own threads, so the receiver never meets an entry after a gap.
 * Before, a later commit's entry often went out first and most of a burst was dropped as gaps.
 */
class ConcurrentWritersLiveIT {

    private static final int CLIENTS = 4;
    private static final int WRITES = 400;

    @Test
    void writesFromConcurrentClientsArriveByGossipInOrder(@TempDir Path dir) throws Exception {
        try (LiveTestNode a = LiveTestNode.start("a", dir.resolve("a"), "p2psync.libp2p.rate-limit=100000");
             LiveTestNode b = LiveTestNode.start("b", dir.resolve("b"), "p2psync.libp2p.rate-limit=100000")) {
            a.pairWith(b);
            b.pairWith(a);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.meshedWith(b) && b.meshedWith(a));

            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        for (int i = client; i < WRITES; i += CLIENTS) {
                            a.put("concurrent-" + i, "value " + i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                clients.shutdown();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < WRITES; i++) {
                    if (!b.get("concurrent-" + i).equals(Optional.of("value " + i))) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(b.dropped(DropReason.GAP)).as("entries B met after a gap").isZero();
        }
    }
}
