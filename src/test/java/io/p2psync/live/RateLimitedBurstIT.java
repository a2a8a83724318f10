package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing depends on gossip delivery: a burst from a legitimate peer that goes over the receiver's rate
 * limit still arrives in full, because the first refused message starts a REST catch-up with that peer.
 */
class RateLimitedBurstIT {

    @Test
    void aBurstOverTheRateLimitArrivesInFullThroughCatchUp(@TempDir Path dir) {
        try (LiveTestNode a = LiveTestNode.start("a", dir.resolve("a"));
             LiveTestNode b = LiveTestNode.start("b", dir.resolve("b"), "p2psync.libp2p.rate-limit=5",
                     "p2psync.libp2p.rate-window=10m")) {
            a.pairWith(b);
            b.pairWith(a);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.meshedWith(b) && b.meshedWith(a));

            for (int i = 0; i < 30; i++) {
                a.put("burst-" + i, "value " + i);
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> b.get("burst-29").equals(Optional.of("value 29")));
            for (int i = 0; i < 30; i++) {
                assertThat(b.get("burst-" + i)).contains("value " + i);
            }
            assertThat(b.dropped(DropReason.RATE_LIMITED)).as("the limit did bite").isPositive();
        }
    }
}
