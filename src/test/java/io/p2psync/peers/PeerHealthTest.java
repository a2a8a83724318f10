package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.RejectionReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerHealthTest {

    private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");
    private final PeerHealth health = new PeerHealth();

    @Test
    void refusalsRunFromTheFirstRefusingRoundThroughFailedRoundsUntilACleanRound() {
        assertThat(health.record("p").refusingSince()).as("no round yet").isNull();

        health.succeeded("p", T0, tooLarge());
        health.succeeded("p", T0.plus(minutes(5)), tooLarge());
        health.failed("p", "connect refused", T0.plus(minutes(10)));
        assertThat(health.record("p").refusingSince()).as("refusing, then a failed round").isEqualTo(T0);

        health.succeeded("p", T0.plus(minutes(15)), tooLarge());
        assertThat(health.record("p").refusingSince()).isEqualTo(T0);

        health.succeeded("p", T0.plus(minutes(20)), new RoundOutcome(1, 0, 0, 0));
        assertThat(health.record("p").refusingSince()).as("a round with nothing refused").isNull();

        health.succeeded("p", T0.plus(minutes(25)), tooLarge());
        assertThat(health.record("p").refusingSince()).as("a new run").isEqualTo(T0.plus(minutes(25)));
    }

    @Test
    void aPeerThatOnlyEverFailedIsNotRefusing() {
        health.failed("p", "connect refused", T0);

        assertThat(health.record("p").refusingSince()).isNull();
        assertThat(health.record("p").refused()).isZero();
    }

    private static RoundOutcome tooLarge() {
        return new RoundOutcome(0, 3, 0, 1, Map.of(RejectionReason.TOO_LARGE, 1), 0);
    }

    private static Duration minutes(long n) {
        return Duration.ofMinutes(n);
    }
}
