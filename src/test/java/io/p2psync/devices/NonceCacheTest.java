package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NonceCacheTest {

    private static final Instant T = Instant.parse("2026-11-21T12:00:00Z");

    @Test
    void refusesANonceUsedTwiceByTheSameDevice() {
        NonceCache cache = new NonceCache(10, Duration.ofMinutes(5));
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.FRESH);
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.REUSED);
        assertThat(cache.use("b", "n1", T, T)).isEqualTo(NonceCache.Result.FRESH);
    }

    @Test
    void forgetsNoncesOnceTheirTimestampLeavesTheWindow() {
        NonceCache cache = new NonceCache(10, Duration.ofMinutes(5));
        cache.use("a", "n1", T, T);
        cache.use("a", "n2", T.plusSeconds(400), T.plusSeconds(400));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void whenFullRefusesEverythingNotNewerThanWhatItForgot() {
        NonceCache cache = new NonceCache(2, Duration.ofMinutes(5));
        cache.use("a", "n1", T, T);
        cache.use("a", "n2", T.plusMillis(1), T);
        cache.use("a", "n3", T.plusMillis(2), T);
        assertThat(cache.size()).isEqualTo(2);
        // n1 was forgotten, so a replay of it must not pass as fresh.
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.TOO_OLD);
        assertThat(cache.use("a", "n4", T.plusMillis(3), T)).isEqualTo(NonceCache.Result.FRESH);
    }
}
