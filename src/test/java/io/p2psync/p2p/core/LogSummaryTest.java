package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogSummaryTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(START);
    private final LogSummary<String> summary = new LogSummary<>(clock, Duration.ofSeconds(10), 2);

    @Test
    void logsTheFirstEventThenOneLinePerIntervalWithTheCount() {
        assertThat(summary.event("a")).isEqualTo(1);
        for (int i = 0; i < 99; i++) {
            assertThat(summary.event("a")).isZero();
        }
        clock.set(START.plusSeconds(10));

        assertThat(summary.event("a")).isEqualTo(100);
        assertThat(summary.event("a")).isZero();
    }

    @Test
    void keysAreCountedApart() {
        assertThat(summary.event("a")).isEqualTo(1);
        assertThat(summary.event("b")).isEqualTo(1);
        assertThat(summary.event("a")).isZero();
    }

    @Test
    void flushReportsCountsThatWaitedAnIntervalAndForgetsQuietKeys() {
        summary.event("a");
        summary.event("a");
        summary.event("a");
        summary.event("b");

        assertThat(summary.flush()).isEmpty();
        clock.set(START.plusSeconds(10));
        assertThat(summary.flush()).containsExactly(new LogSummary.Summary<>("a", 2, START));

        clock.set(START.plusSeconds(20));
        assertThat(summary.flush()).isEmpty();
        assertThat(summary.event("b")).as("b was forgotten, so this is a first line again").isEqualTo(1);
    }

    @Test
    void keysPastTheLimitAreCountedTogether() {
        summary.event("a");
        summary.event("b");

        assertThat(summary.event("c")).isZero();
        assertThat(summary.event("d")).isZero();
        clock.set(START.plusSeconds(10));

        assertThat(summary.flush()).containsExactly(new LogSummary.Summary<>(null, 2, START));
    }

}
