package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedialPolicyTest {

    @Test
    void backsOffExponentiallyWithJitterUpToTheMaximum() {
        RedialPolicy policy = new RedialPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 10);

        for (int i = 0; i < 50; i++) {
            assertThat(policy.delay(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
            assertThat(policy.delay(4)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(12000));
            assertThat(policy.delay(20)).isLessThanOrEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RedialPolicy(Duration.ZERO, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedialPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedialPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
