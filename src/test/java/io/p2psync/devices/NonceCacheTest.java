package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NonceCacheTest {

    private static final Instant T = Instant.parse("2026-11-21T12:00:00Z");

    @Test
    void refusesANonceUsedTwiceByTheSameDevice() {
        NonceCache cache = new NonceCache(10, 100, Duration.ofMinutes(5));
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.FRESH);
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.REUSED);
        assertThat(cache.use("b", "n1", T, T)).isEqualTo(NonceCache.Result.FRESH);
    }

    @Test
    void forgetsNoncesOnceTheirTimestampLeavesTheWindow() {
        NonceCache cache = new NonceCache(10, 100, Duration.ofMinutes(5));
        cache.use("a", "n1", T, T);
        cache.use("a", "n2", T.plusSeconds(400), T.plusSeconds(400));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void whenFullRefusesEverythingNotNewerThanWhatItForgot() {
        NonceCache cache = new NonceCache(2, 100, Duration.ofMinutes(5));
        cache.use("a", "n1", T, T);
        cache.use("a", "n2", T.plusMillis(1), T);
        cache.use("a", "n3", T.plusMillis(2), T);
        assertThat(cache.size()).isEqualTo(2);
        // n1 was forgotten, so a replay of it must not pass as fresh.
        assertThat(cache.use("a", "n1", T, T)).isEqualTo(NonceCache.Result.TOO_OLD);
        assertThat(cache.use("a", "n4", T.plusMillis(3), T)).isEqualTo(NonceCache.Result.FRESH);
    }

    @Test
    void aDeviceThatFillsItsShareRaisesOnlyItsOwnFloor() {
        NonceCache cache = new NonceCache(2, 100, Duration.ofMinutes(5));
        for (int i = 0; i < 50; i++) {
            cache.use("noisy", "n" + i, T.plusSeconds(30), T);
        }
        assertThat(cache.use("noisy", "late", T, T)).isEqualTo(NonceCache.Result.TOO_OLD);
        assertThat(cache.use("quiet", "n1", T, T)).isEqualTo(NonceCache.Result.FRESH);
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void staysWithinTheTotalByTakingFromTheDeviceHoldingTheMost() {
        NonceCache cache = new NonceCache(4, 5, Duration.ofMinutes(5));
        for (int i = 0; i < 4; i++) {
            cache.use("big", "b" + i, T.plusMillis(i), T);
        }
        cache.use("small", "s0", T, T);
        cache.use("small", "s1", T.plusMillis(1), T);

        assertThat(cache.size()).isEqualTo(5);
        // big gave up its oldest nonce (b0) and refuses what is not newer; small lost nothing.
        assertThat(cache.use("big", "b0", T, T)).isEqualTo(NonceCache.Result.TOO_OLD);
        assertThat(cache.use("small", "s0", T, T)).isEqualTo(NonceCache.Result.REUSED);
    }

    @Test
    void forgetsDevicesWhoseNoncesAllExpiredWhenTheTotalIsReached() {
        NonceCache cache = new NonceCache(2, 2, Duration.ofMinutes(5));
        cache.use("gone", "g1", T, T);
        cache.use("gone", "g2", T, T);
        Instant later = T.plusSeconds(400);
        cache.use("here", "h1", later, later);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.devices()).isEqualTo(1);
    }
}
