package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.VersionVector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerStatesTest {

    @Test
    void behindCountsTheEntriesThePeerLacksPerOrigin() {
        VersionVector mine = VersionVector.of(Map.of("a", 10L, "b", 4L, "c", 2L));
        VersionVector theirs = VersionVector.of(Map.of("a", 7L, "b", 6L, "d", 9L));

        // a: 3 missing, b: none (they have more), c: 2 missing, d: only they have it
        assertThat(PeerStates.behind(mine, theirs)).isEqualTo(5);
        assertThat(PeerStates.behind(mine, mine)).isZero();
        assertThat(PeerStates.behind(VersionVector.EMPTY, theirs)).isZero();
    }
}
