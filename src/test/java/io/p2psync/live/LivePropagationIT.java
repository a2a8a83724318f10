package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in one JVM, paired with each other by url only (no libp2p address configured): pairing
 * makes them dial each other at the addresses in {@code /status}, and changes then travel by gossip.
 */
class LivePropagationIT {

    @TempDir
    static Path dir;
    static LiveTestNode a;
    static LiveTestNode b;
    static LiveTestNode c;

    @BeforeAll
    static void startNodes() {
        a = LiveTestNode.start("a", dir.resolve("a"));
        b = LiveTestNode.start("b", dir.resolve("b"));
        c = LiveTestNode.start("c", dir.resolve("c"));
        for (LiveTestNode x : new LiveTestNode[] {a, b, c}) {
            for (LiveTestNode y : new LiveTestNode[] {a, b, c}) {
                if (x != y) {
                    x.pairWith(y);
                }
            }
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> a.meshedWith(b, c) && b.meshedWith(a, c) && c.meshedWith(a, b));
    }

    @AfterAll
    static void stopNodes() {
        for (LiveTestNode n : new LiveTestNode[] {a, b, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void statusListsTheLibp2pListenAddresses() {
        assertThat(a.status().get("listenAddrs").get(0).asString())
                .startsWith("/ip4/127.0.0.1/tcp/").endsWith("/p2p/" + a.id);
    }

    @Test
    void putOnOneNodeIsReadableOnTheOtherTwoWithoutSyncNow() {
        double appliedOnB = b.applied();
        double appliedOnC = c.applied();
        a.put("x", "live from a");

        await().atMost(Duration.ofSeconds(5)).until(() -> b.get("x").equals(Optional.of("live from a"))
                && c.get("x").equals(Optional.of("live from a")));
        assertThat(b.applied()).as("applied from gossip on b").isGreaterThan(appliedOnB);
        assertThat(c.applied()).as("applied from gossip on c").isGreaterThan(appliedOnC);
    }
}
