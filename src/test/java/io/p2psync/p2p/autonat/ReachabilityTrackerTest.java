package io.p2psync.p2p.autonat;

import static io.p2psync.p2p.autonat.ProbeOutcome.Verdict.NONE;
import static io.p2psync.p2p.autonat.ProbeOutcome.Verdict.REACHABLE;
import static io.p2psync.p2p.autonat.ProbeOutcome.Verdict.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReachabilityTrackerTest {

    private final ReachabilityTracker tracker = new ReachabilityTracker();

    @Test
    void firstVerdictDecidesAndAnswersWithoutOneChangeNothing() {
        assertThat(tracker.record(NONE)).isFalse();
        assertThat(tracker.state()).isEqualTo(Reachability.UNKNOWN);

        assertThat(tracker.record(UNREACHABLE)).isTrue();
        assertThat(tracker.state()).isEqualTo(Reachability.PRIVATE);
        assertThat(tracker.record(NONE)).isFalse();
        assertThat(tracker.state()).isEqualTo(Reachability.PRIVATE);
    }

    @Test
    void aConfirmedStateTakesAsManyContraryVerdictsInARowToFlip() {
        tracker.record(REACHABLE);
        tracker.record(REACHABLE);
        tracker.record(REACHABLE);
        assertThat(tracker.confidence()).isEqualTo(2);

        assertThat(tracker.record(UNREACHABLE)).isFalse();
        assertThat(tracker.record(UNREACHABLE)).isFalse();
        assertThat(tracker.state()).isEqualTo(Reachability.PUBLIC);
        assertThat(tracker.record(UNREACHABLE)).isTrue();
        assertThat(tracker.state()).isEqualTo(Reachability.PRIVATE);
        assertThat(tracker.confidence()).isZero();
    }

    @Test
    void confidenceStopsAtItsMaximum() {
        for (int i = 0; i < 10; i++) {
            tracker.record(UNREACHABLE);
        }
        assertThat(tracker.confidence()).isEqualTo(ReachabilityTracker.MAX_CONFIDENCE);
        for (int i = 0; i < ReachabilityTracker.MAX_CONFIDENCE; i++) {
            assertThat(tracker.record(REACHABLE)).isFalse();
        }
        assertThat(tracker.record(REACHABLE)).isTrue();
    }

    @Test
    void oneOddVerdictAmongAgreeingOnesDoesNotFlip() {
        tracker.record(UNREACHABLE);
        tracker.record(UNREACHABLE);
        tracker.record(REACHABLE);
        tracker.record(UNREACHABLE);
        assertThat(tracker.state()).isEqualTo(Reachability.PRIVATE);
        assertThat(tracker.confidence()).isEqualTo(1);
    }
}
