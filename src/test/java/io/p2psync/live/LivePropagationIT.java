package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three real nodes in one JVM, paired with each other by url only (no libp2p address configured): pairing
 * makes them dial each other at the addresses in {@code /status}, and changes then travel by gossip.
 */
@ExtendWith(OutputCaptureExtension.class)
class LivePropagationIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;
    static LiveTestNode a;
    static LiveTestNode b;
    static LiveTestNode c;

    @BeforeAll
    static void startNodes() {
        a = LiveTestNode.start("a", dir.resolve("a"), "p2psync.libp2p.seed-compat=true");
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
    void nodeThatMissedMessagesWhileDownIsCaughtUpWhenItReconnects() {
        c.close();
        a.put("missed-1", "written while c was down");
        b.put("missed-2", "also written while c was down");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.get("missed-1").isPresent() && a.get("missed-2").isPresent());

        // Same data directory and key, new HTTP and libp2p ports: c dials a and b from their /status and
        // pulls what it missed over REST as soon as each connects; nothing is written after the restart.
        c = LiveTestNode.start("c", dir.resolve("c"));
        await().atMost(Duration.ofSeconds(15)).until(() -> c.get("missed-1").equals(Optional.of("written while c was down"))
                && c.get("missed-2").equals(Optional.of("also written while c was down")));
        await().atMost(Duration.ofSeconds(15)).until(() -> c.meshedWith(a, b) && a.meshedWith(c) && b.meshedWith(c));
        assertThat(c.rounds(a, "connected")).as("the catch-up on connect ran in the per-peer scheduler").isPositive();

        a.put("after-restart", "live again");
        await().atMost(Duration.ofSeconds(5)).until(() -> c.get("after-restart").equals(Optional.of("live again")));
    }

    @Test
    void floodingPeerIsRateLimitedWhileOthersKeepSyncing() {
        try (RawGossipPeer flooder = new RawGossipPeer("p2p-sync")) {
            a.authorize(flooder.id(), "flooder", null);
            flooder.dial(a);
            await().atMost(Duration.ofSeconds(10)).until(() -> flooder.seesInTopic(a));
            double limitedBefore = a.dropped(DropReason.RATE_LIMITED);

            for (int i = 0; i < 250; i++) {
                flooder.publish("{\"flood\":" + i + "}");
            }
            b.put("during-flood", "from b");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.dropped(DropReason.RATE_LIMITED) >= limitedBefore + 150);
            await().atMost(Duration.ofSeconds(5)).until(() -> a.get("during-flood").equals(Optional.of("from b"))
                    && c.get("during-flood").equals(Optional.of("from b")));
            assertThat(flooder.isConnected(a)).as("a rate-limited peer stays connected").isTrue();
        }
    }

    @Test
    void malformedOrUnsignedMessagesAreDroppedWithALoggedReasonAndCounted(CapturedOutput output) {
        try (RawGossipPeer peer = new RawGossipPeer("p2p-sync")) {
            a.authorize(peer.id(), "prankster", null);
            peer.dial(a);
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.seesInTopic(a));
            double malformed = a.dropped(DropReason.MALFORMED);
            double badSignature = a.dropped(DropReason.BAD_SIGNATURE);
            double unsigned = a.dropped(DropReason.UNSIGNED_MESSAGE);

            peer.publish("this is not json");
            await().atMost(Duration.ofSeconds(5)).until(() -> a.dropped(DropReason.MALFORMED) > malformed);
            await().atMost(Duration.ofSeconds(5)).until(() -> output.getAll().contains("malformed: not JSON"));

            ChangeEntry genuine = ChangeEntry.seal(new DeviceIdentity(peer.key), 1, 1, System.currentTimeMillis(),
                    new RowChange("sync_kv", "[\"forged\"]", Operation.INSERT, Kind.EDIT,
                            "{\"key\":\"forged\",\"value\":\"v\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}",
                            null),
                    VersionVector.EMPTY, null);
            ChangeEntry signedByAnother = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 1, 1,
                    genuine.timestamp(), genuine.change(), VersionVector.EMPTY, null);
            ChangeEntry forged = new ChangeEntry(genuine.origin(), 1, genuine.hlc(), genuine.timestamp(), genuine.table(),
                    genuine.recordId(), genuine.operation(), genuine.kind(), genuine.data(), genuine.changedColumns(),
                    genuine.base(), null, genuine.hash(), signedByAnother.signature());
            peer.publish(JSON.writeValueAsString(forged));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.dropped(DropReason.BAD_SIGNATURE) > badSignature);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> output.getAll().contains("bad-signature: " + genuine.origin() + "#1"));

            peer.sendUnsigned(a, JSON.writeValueAsString(genuine));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.dropped(DropReason.UNSIGNED_MESSAGE) > unsigned);

            assertThat(a.get("forged")).as("nothing forged or unsigned was applied").isEmpty();
            assertThat(peer.isConnected(a)).isTrue();
        }
    }

    @Test
    void seedProtocolChangesFromAnAuthorizedPeerApplyInClockOrderAndSyncOn() {
        try (RawGossipPeer seed = new RawGossipPeer("p2p-sync")) {
            a.authorize(seed.id(), "rust-seed", null);
            seed.dial(a);
            await().atMost(Duration.ofSeconds(10)).until(() -> seed.seesInTopic(a));
            Instant now = Instant.now();

            seed.publish(seedPut("seed-key", "from the seed", now));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.get("seed-key").equals(Optional.of("from the seed"))
                    && b.get("seed-key").equals(Optional.of("from the seed"))
                    && c.get("seed-key").equals(Optional.of("from the seed")));

            seed.publish(seedPut("seed-key", "an older write", now.minusSeconds(60)));
            seed.publish(seedPut("seed-marker", "after the older write", now));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.get("seed-marker").isPresent());
            assertThat(a.get("seed-key")).as("an older seed write loses").contains("from the seed");
            seed.publish("{\"Delete\":{\"key\":\"seed-key\",\"timestamp\":\"" + now.plusSeconds(60) + "\"}}");
            await().atMost(Duration.ofSeconds(5)).until(() -> a.get("seed-key").isEmpty() && b.get("seed-key").isEmpty()
                    && c.get("seed-key").isEmpty());

            // a runs with seed-compat: its own kv writes also go out as seed Put messages.
            a.put("for-the-seed", "hello rust");
            await().atMost(Duration.ofSeconds(5)).until(() -> seed.received.stream()
                    .anyMatch(m -> m.startsWith("{\"Put\":{\"key\":\"for-the-seed\",\"value\":\"hello rust\",\"timestamp\":")));
        }
    }

    private static String seedPut(String key, String value, Instant timestamp) {
        return "{\"Put\":{\"key\":\"" + key + "\",\"value\":\"" + value + "\",\"timestamp\":\"" + timestamp + "\"}}";
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
