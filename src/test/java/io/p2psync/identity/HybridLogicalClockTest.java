package io.p2psync.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    private final HybridLogicalClock clock = new HybridLogicalClock(wall::get, 0);

    @Test
    void usesTheWallClockWhenItMovesOn() {
        long t = clock.now();
        assertThat(HybridLogicalClock.wallMillis(t)).isEqualTo(wall.get());
        assertThat(HybridLogicalClock.counter(t)).isZero();
    }

    @Test
    void countsWithinOneMillisecondAndWhenTheWallClockGoesBack() {
        long a = clock.now();
        long b = clock.now();
        wall.addAndGet(-5_000);
        long c = clock.now();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(HybridLogicalClock.wallMillis(c)).isEqualTo(HybridLogicalClock.wallMillis(a));
        assertThat(HybridLogicalClock.counter(c)).isEqualTo(2);
    }

    @Test
    void stampsAnEventOfAWhileAgoWithThatMomentWhenItIsPastEverythingBefore() {
        long before = clock.now();
        wall.addAndGet(3_600_000);
        long late = clock.ago(1_800_000);
        assertThat(HybridLogicalClock.wallMillis(late)).isEqualTo(wall.get() - 1_800_000);
        assertThat(late).isGreaterThan(before);
        // an event from before the last timestamp ticks past it, as now() does when the wall clock goes back
        long older = clock.ago(3_000_000);
        assertThat(older).isEqualTo(late + 1);
        assertThat(clock.now()).as("later timestamps pass the stamp of the moment now")
                .isEqualTo(HybridLogicalClock.pack(wall.get(), 0));
    }

    @Test
    void passesARemoteClockAnHourAheadAfterObservingIt() {
        long remote = HybridLogicalClock.pack(wall.get() + 3_600_000, 7);
        clock.observe(remote);
        long next = clock.now();
        assertThat(next).isGreaterThan(remote);
        assertThat(HybridLogicalClock.wallMillis(next)).isEqualTo(wall.get() + 3_600_000);
    }

    @Test
    void followsARemoteClockDaysAheadSoAChangeMadeOnTopOfItCarriesAGreaterClock() {
        long days = HybridLogicalClock.pack(wall.get() + 3 * 24 * 3_600_000L, 5);
        clock.observe(days);
        assertThat(clock.now()).isGreaterThan(days);
    }

    @Test
    void leavesOutAStampNearTheTopOfTheRangeSoTheClockCannotWrap() {
        long previous = clock.now();
        clock.observe(HybridLogicalClock.MAX - 5); // an authorized but broken device, some 4,000 years ahead
        for (int i = 0; i < 70_000; i++) {
            long next = clock.now();
            assertThat(next).as("timestamp %d after the stamp", i).isGreaterThan(previous);
            previous = next;
        }
        assertThat(HybridLogicalClock.wallMillis(previous)).isLessThan(wall.get() + HybridLogicalClock.MAX_AHEAD_MS);
        long decades = HybridLogicalClock.pack(wall.get() + 30L * 366 * 24 * 3_600_000L, 0);
        clock.observe(decades);
        assertThat(clock.now()).as("a clock decades ahead is still followed").isGreaterThan(decades);
    }

    @Test
    void leavesOutOnlyTimestampsWhoseWallPartWouldOverflow() {
        long mine = clock.now();
        clock.observe(Long.MAX_VALUE);
        clock.observe(-1);
        long next = clock.now();
        assertThat(next).isGreaterThan(mine);
        assertThat(HybridLogicalClock.wallMillis(next)).isEqualTo(wall.get());
    }

    @Test
    void ignoresAnOlderRemoteClock() {
        long mine = clock.now();
        clock.observe(HybridLogicalClock.pack(wall.get() - 60_000, 3));
        assertThat(clock.now()).isGreaterThan(mine);
        assertThat(HybridLogicalClock.wallMillis(clock.now())).isEqualTo(wall.get());
    }

    @Test
    void neverGoesBackAcrossARestart() {
        long stored = HybridLogicalClock.pack(wall.get() + 10_000, 40);
        HybridLogicalClock restarted = new HybridLogicalClock(wall::get, stored);
        assertThat(restarted.now()).isGreaterThan(stored);
    }

    @Test
    void carriesACounterOverflowIntoTheMilliseconds() {
        long full = HybridLogicalClock.pack(wall.get(), 0xFFFF);
        HybridLogicalClock c = new HybridLogicalClock(wall::get, full);
        long next = c.now();
        assertThat(next).isGreaterThan(full);
        assertThat(HybridLogicalClock.wallMillis(next)).isEqualTo(wall.get() + 1);
    }
}
