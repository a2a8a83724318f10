package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.p2psync.changes.VersionVector;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerStatesTest {

    private static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

    @Test
    void behindCountsTheEntriesThePeerLacksPerOrigin() {
        VersionVector mine = VersionVector.of(Map.of("a", 10L, "b", 4L, "c", 2L));
        VersionVector theirs = VersionVector.of(Map.of("a", 7L, "b", 6L, "d", 9L));

        // a: 3 missing, b: none (they have more), c: 2 missing, d: only they have it
        assertThat(PeerStates.behind(mine, theirs)).isEqualTo(5);
        assertThat(PeerStates.behind(mine, mine)).isZero();
        assertThat(PeerStates.behind(VersionVector.EMPTY, theirs)).isZero();
    }

    @Test
    void aPeerIsNeverBehindOnItsOwnEntries() {
        // what b held at the last round here, before it made its entry 2 and pushed it here
        VersionVector theirs = VersionVector.of(Map.of("a", 2L, "b", 1L));
        VersionVector mine = VersionVector.of(Map.of("a", 2L, "b", 2L));

        assertThat(PeerStates.behind(mine, theirs, "b")).isZero();
        assertThat(PeerStates.behind(mine, theirs, "c")).as("a third device's view").isEqualTo(1);
    }

    @Test
    void inSyncOnlyWhenNothingIsBehindRefusedOrHeld() {
        assertThat(status(0L, 0, 0)).isEqualTo(PeerState.Status.IN_SYNC);
        assertThat(status(3L, 0, 0)).isEqualTo(PeerState.Status.BEHIND);
        assertThat(status(0L, 2, 0)).isEqualTo(PeerState.Status.INCOMPLETE);
        assertThat(status(0L, 0, 1)).isEqualTo(PeerState.Status.INCOMPLETE);
        assertThat(status(3L, 2, 0)).as("refusals are what asking again cannot fix").isEqualTo(PeerState.Status.INCOMPLETE);
    }

    @Test
    void failuresAndTheBreakerOutrankTheCounts() {
        assertThat(PeerStates.status(CircuitBreaker.State.CLOSED, AT, "connect refused", 0L, 0, 0))
                .isEqualTo(PeerState.Status.FAILING);
        assertThat(PeerStates.status(CircuitBreaker.State.OPEN, AT, "connect refused", 0L, 2, 0))
                .isEqualTo(PeerState.Status.UNREACHABLE);
        assertThat(PeerStates.status(CircuitBreaker.State.HALF_OPEN, AT, null, 0L, 0, 0))
                .isEqualTo(PeerState.Status.PROBING);
        assertThat(PeerStates.status(CircuitBreaker.State.CLOSED, null, null, null, 0, 0))
                .isEqualTo(PeerState.Status.NEW);
    }

    private static PeerState.Status status(Long behind, int refused, long held) {
        return PeerStates.status(CircuitBreaker.State.CLOSED, AT, null, behind, refused, held);
    }
}
