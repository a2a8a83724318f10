package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The passes over paired devices: a device that stays away is tried less and less often, and passes never pile up. */
class PairedDeviceReachTest {

    private final Device away = device();
    private final Device back = device();
    private final List<PeerId> tried = new ArrayList<>();
    private final Set<PeerId> reachable = new HashSet<>();
    private final Set<PeerId> connected = new HashSet<>();
    private Instant now = Instant.parse("2026-12-06T12:00:00Z");

    private PairedDeviceReach reach() {
        return new PairedDeviceReach(() -> List.of(away, back), connected::contains, d -> {
            tried.add(d.deviceId());
            return reachable.contains(d.deviceId());
        }, new Clock() {
            @Override
            public Instant instant() {
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        });
    }

    @Test
    void aDeviceThatStaysAwayWaitsTwiceAsLongAfterEachMissUpToFiveMinutes() {
        PairedDeviceReach reach = reach();
        List<Instant> triesOfAway = new ArrayList<>();
        Instant end = now.plus(Duration.ofMinutes(20));
        for (; now.isBefore(end); now = now.plus(LiveNode.REACH_INTERVAL)) { // a pass every 30 s, as the node runs them
            int before = tried.size();
            reach.pass();
            if (tried.subList(before, tried.size()).contains(away.deviceId())) {
                triesOfAway.add(now);
            }
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < triesOfAway.size(); i++) {
            gaps.add(Duration.between(triesOfAway.get(i - 1), triesOfAway.get(i)).toSeconds());
        }
        assertThat(gaps).startsWith(30L, 60L, 120L, 240L, 300L, 300L);
        assertThat(gaps).allMatch(gap -> gap <= 300);
    }

    @Test
    void aDeviceThatConnectsOrIsAuthorizedAgainWaitsNoMore() {
        PairedDeviceReach reach = reach();
        for (int i = 0; i < 4; i++) { // misses: the next try of each is 4 minutes off
            reach.pass();
            now = now.plus(Duration.ofMinutes(4));
        }
        now = now.minus(Duration.ofMinutes(4));

        reach.tryNow(back.deviceId()); // added or authorized again
        reachable.add(back.deviceId());
        tried.clear();
        reach.pass();
        assertThat(tried).containsExactly(back.deviceId());

        connected.add(back.deviceId()); // up: not tried while connected
        tried.clear();
        now = now.plus(Duration.ofMinutes(10));
        reach.pass();
        assertThat(tried).containsExactly(away.deviceId());

        connected.remove(back.deviceId()); // gone again: tried at the next pass, with no wait left from before
        reachable.remove(back.deviceId());
        tried.clear();
        now = now.plus(Duration.ofSeconds(1));
        reach.pass();
        assertThat(tried).containsExactly(back.deviceId());

        reach.tryAllNow(); // the DHT can answer now: every device is tried
        tried.clear();
        reach.pass();
        assertThat(tried).containsExactly(away.deviceId(), back.deviceId());
    }

    @Test
    void aPassAskedForWhileOneRunsRunsOnceAfterItInsteadOfBesideIt() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> running = new ArrayList<>();
        int[] depth = {0};
        PairedDeviceReach reach = new PairedDeviceReach(() -> List.of(away), p -> false, d -> {
            synchronized (running) {
                running.add(++depth[0]);
            }
            inFirst.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (running) {
                depth[0]--;
            }
            return true; // connected, so no wait holds back the pass run after this one
        }, Clock.systemUTC());
        Thread first = new Thread(reach::pass);
        first.start();
        assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue();

        reach.pass(); // returns at once: the running pass takes it over
        reach.pass();
        release.countDown();
        first.join(10_000);

        assertThat(first.isAlive()).isFalse();
        assertThat(running).as("two passes in all, never two at once").containsExactly(1, 1);
    }

    private static Device device() {
        return new Device(PeerId.fromPublicKey(PrivateKey.generate().publicKey()), "d", null, DeviceStatus.AUTHORIZED,
                null, null, null, Instant.EPOCH);
    }
}
