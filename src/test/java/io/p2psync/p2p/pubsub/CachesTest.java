package io.p2psync.p2p.pubsub;

import io.p2psync.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The seen cache, the message cache's windows and the mesh's backoff and fanout bookkeeping. */
class CachesTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PeerId peer = PrivateKey.generate().peerId();

    private static MessageId id(int n) {
        return new MessageId(new byte[] {(byte) n});
    }

    private static PubsubMessage message(String topic) {
        return new PubsubMessage(null, null, topic, new byte[] {1}, null, null);
    }

    @Test
    void seenCacheForgetsIdsAfterItsTtl() {
        SeenCache seen = new SeenCache(Duration.ofMinutes(2), clock);
        assertThat(seen.add(id(1))).isTrue();
        assertThat(seen.add(id(1))).isFalse();

        clock.advance(Duration.ofSeconds(119));
        assertThat(seen.contains(id(1))).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(seen.contains(id(1))).isFalse();
        assertThat(seen.add(id(1))).isTrue();
    }

    @Test
    void messageCacheGossipsTheNewestWindowsAndAnswersFromAllOfThem() {
        MessageCache cache = new MessageCache(5, 3);
        cache.put(id(1), message("a"));
        cache.put(id(2), message("b"));
        cache.shift();
        cache.put(id(3), message("a"));

        assertThat(cache.gossipIds("a")).containsExactly(id(3), id(1));
        cache.shift();
        cache.shift();
        assertThat(cache.gossipIds("a")).as("id 1 is now in the 4th window").containsExactly(id(3));
        assertThat(cache.get(id(1))).isPresent();

        cache.shift();
        cache.shift();
        assertThat(cache.get(id(1))).as("past mcache_len windows").isEmpty();
        assertThat(cache.get(id(3))).isPresent();
    }

    @Test
    void messageCacheAnswersOnePeerALimitedNumberOfTimes() {
        MessageCache cache = new MessageCache(5, 3);
        cache.put(id(1), message("a"));

        for (int i = 0; i < 3; i++) {
            assertThat(cache.getForPeer(id(1), peer, 3)).isPresent();
        }
        assertThat(cache.getForPeer(id(1), peer, 3)).isEmpty();
        assertThat(cache.getForPeer(id(1), PrivateKey.generate().peerId(), 3)).isPresent();
    }

    @Test
    void backoffHoldsForItsDurationAndTheGrafterWaitsTheSlackOnTop() {
        Mesh mesh = new Mesh(clock);
        mesh.backoff("t", peer, Duration.ofSeconds(10));
        mesh.backoff("t", peer, Duration.ofSeconds(5)); // a shorter backoff does not shorten it

        clock.advance(Duration.ofSeconds(9));
        assertThat(mesh.inBackoff("t", peer)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(mesh.inBackoff("t", peer)).isFalse();
        assertThat(mesh.inBackoff("t", peer, Duration.ofSeconds(2))).isTrue();
        clock.advance(Duration.ofSeconds(2));
        assertThat(mesh.inBackoff("t", peer, Duration.ofSeconds(2))).isFalse();
    }

    @Test
    void fanoutExpiresWhenNothingIsPublishedForItsTtl() {
        Mesh mesh = new Mesh(clock);
        mesh.published("t");
        mesh.addFanout("t", peer);
        clock.advance(Duration.ofSeconds(59));
        assertThat(mesh.expireFanout(Duration.ofSeconds(60))).isEmpty();
        mesh.published("t");
        clock.advance(Duration.ofSeconds(59));
        assertThat(mesh.expireFanout(Duration.ofSeconds(60))).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(mesh.expireFanout(Duration.ofSeconds(60))).containsExactly("t");
        assertThat(mesh.fanoutPeers("t")).isEmpty();
    }

    @Test
    void joiningTakesOverTheFanout() {
        Mesh mesh = new Mesh(clock);
        mesh.published("t");
        mesh.addFanout("t", peer);

        assertThat(mesh.join("t")).containsExactly(peer);
        assertThat(mesh.fanoutTopics()).isEmpty();
        assertThat(mesh.joined("t")).isTrue();
    }
}
