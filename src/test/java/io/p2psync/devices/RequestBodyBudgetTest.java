package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RequestBodyBudgetTest {

    @Test
    void reservesWhatFitsAndRefusesWhatDoesNotWithoutReservingIt() {
        RequestBodyBudget budget = new RequestBodyBudget(100);

        assertThat(budget.tryReserve(60)).isTrue();
        assertThat(budget.tryReserve(41)).isFalse();
        assertThat(budget.reserved()).isEqualTo(60);
        assertThat(budget.tryReserve(40)).isTrue();
        assertThat(budget.tryReserve(0)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
    }

    @Test
    void releasedBytesCanBeReservedAgain() {
        RequestBodyBudget budget = new RequestBodyBudget(100);
        budget.tryReserve(100);

        budget.release(100);

        assertThat(budget.reserved()).isZero();
        assertThat(budget.tryReserve(100)).isTrue();
    }

    @Test
    void publishesTheReservedBytesAsAGauge() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RequestBodyBudget budget = new RequestBodyBudget(100).register(meters);
        budget.tryReserve(30);

        assertThat(meters.get(RequestBodyBudget.GAUGE).gauge().value()).isEqualTo(30.0);
    }

    @Test
    void refusesANegativeReservation() {
        assertThatThrownBy(() -> new RequestBodyBudget(100).tryReserve(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
