package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GossipParamsTest {

    @Test
    void defaultsAreTheSpecsRecommendations() {
        GossipParams p = GossipParams.defaults();

        assertThat(new int[] {p.d(), p.dLow(), p.dHigh(), p.dLazy()}).containsExactly(6, 5, 12, 6);
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.fanoutTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.historyLength()).isEqualTo(5);
        assertThat(p.historyGossip()).isEqualTo(3);
        assertThat(p.seenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.pruneBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.maxMessageBytes()).isEqualTo(1 << 20);
    }

    @Test
    void rejectsDegreesOutOfOrder() {
        assertThatIllegalArgumentException().isThrownBy(() -> GossipParams.defaults().withDegree(6, 7, 12, 6))
                .withMessageContaining("D_low <= D <= D_high");
        assertThatIllegalArgumentException().isThrownBy(() -> GossipParams.defaults().withDegree(13, 5, 12, 6));
    }

    @Test
    void rejectsAMessageLimitThatLeavesNoRoomInAFrame() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> GossipParams.defaults().withMaxMessageBytes(4 << 20))
                .withMessageContaining("max RPC size");
    }
}
