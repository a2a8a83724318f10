package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerGuardsTest {

    private final RetryRegistry retries = RetryRegistry.ofDefaults();
    private PeerGuards guards;

    @AfterEach
    void close() throws InterruptedException {
        if (guards != null) {
            guards.close();
        }
    }

    @Test
    void backoffGrowsBetweenFailedAttempts() {
        // jitter 0.2 and multiplier 3 keep the ranges of successive waits apart: [16,24], [48,72], [144,216] ms
        guards = guards(new CatchUpSettings.Retry(4, Duration.ofMillis(20), 3.0, 0.2, Duration.ofSeconds(5)),
                new CatchUpSettings.Breaker(100, 100, 100, Duration.ofSeconds(1), 1));
        List<Duration> waits = new CopyOnWriteArrayList<>();
        guards.retry("dead").getEventPublisher().onRetry(e -> waits.add(e.getWaitInterval()));
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> guards.callWithRetry("dead", () -> {
            attempts.incrementAndGet();
            throw new ConnectException("Connection refused");
        })).isInstanceOf(ConnectException.class);

        assertThat(attempts).hasValue(4);
        assertThat(waits).hasSize(3);
        assertThat(waits.get(1)).isGreaterThan(waits.get(0));
        assertThat(waits.get(2)).isGreaterThan(waits.get(1));
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(16), Duration.ofMillis(24));
        assertThat(waits.get(2)).isBetween(Duration.ofMillis(144), Duration.ofMillis(216));
    }

    @Test
    void aPeerThatAsksToBeCalledLaterIsNeitherCountedByTheBreakerNorRetriedInTheRound() {
        guards = guards(new CatchUpSettings.Retry(3, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(5)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofMinutes(1), 1));
        AtomicInteger attempts = new AtomicInteger();

        for (int round = 0; round < 3; round++) {
            assertThatThrownBy(() -> guards.callWithRetry("busy", () -> {
                attempts.incrementAndGet();
                throw new TryAgainLater("HTTP 503 Try again later", Duration.ofSeconds(5));
            })).isInstanceOf(TryAgainLater.class);
        }

        assertThat(attempts).as("one attempt a round: PeerRunner asks again when the peer said").hasValue(3);
        assertThat(guards.retryAt("busy")).isEmpty();
        assertThat(guards.breakerState("busy")).as("three refusals for now in a window of two").isEqualTo(
                CircuitBreaker.State.CLOSED);

        assertThatThrownBy(() -> guards.callOnce("busy", () -> {
            throw new IOException("down");
        })).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> guards.callOnce("busy", () -> {
            throw new IOException("down");
        })).isInstanceOf(IOException.class);
        assertThat(guards.breakerState("busy")).as("real failures still count").isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void jitterSpreadsTheWaitsOfPeersThatFailTogether() {
        guards = guards(new CatchUpSettings.Retry(2, Duration.ofMillis(40), 2.0, 0.5, Duration.ofSeconds(5)),
                new CatchUpSettings.Breaker(100, 100, 100, Duration.ofSeconds(1), 1));
        List<Duration> firstWaits = new CopyOnWriteArrayList<>();
        for (int peer = 0; peer < 12; peer++) {
            String key = "peer" + peer;
            guards.retry(key).getEventPublisher().onRetry(e -> firstWaits.add(e.getWaitInterval()));
            assertThatThrownBy(() -> guards.callWithRetry(key, () -> {
                throw new IOException("down");
            })).isInstanceOf(IOException.class);
        }
        assertThat(firstWaits).hasSize(12).allSatisfy(
                w -> assertThat(w).isBetween(Duration.ofMillis(20), Duration.ofMillis(60)));
        assertThat(firstWaits.stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void circuitOpensAfterFailuresThenHalfOpensAndClosesWhenThePeerIsBack() throws Exception {
        guards = guards(new CatchUpSettings.Retry(1, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(4, 2, 50, Duration.ofMillis(300), 1));
        AtomicBoolean peerUp = new AtomicBoolean(false);
        AtomicInteger reached = new AtomicInteger();
        java.util.concurrent.Callable<String> sync = () -> {
            reached.incrementAndGet();
            if (!peerUp.get()) {
                throw new ConnectException("Connection refused");
            }
            return "synced";
        };

        assertThat(guards.breakerState("b")).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThatThrownBy(() -> guards.callWithRetry("b", sync)).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> guards.callWithRetry("b", sync)).isInstanceOf(ConnectException.class);
        assertThat(guards.breakerState("b")).isEqualTo(CircuitBreaker.State.OPEN);

        // open: the peer is not even tried
        assertThatThrownBy(() -> guards.callWithRetry("b", sync)).isInstanceOf(CallNotPermittedException.class);
        assertThat(reached).hasValue(2);

        await().atMost(5, TimeUnit.SECONDS).until(() -> guards.breakerState("b") == CircuitBreaker.State.HALF_OPEN);
        // a failed trial opens it again
        assertThatThrownBy(() -> guards.callWithRetry("b", sync)).isInstanceOf(ConnectException.class);
        assertThat(guards.breakerState("b")).isEqualTo(CircuitBreaker.State.OPEN);

        peerUp.set(true);
        await().atMost(5, TimeUnit.SECONDS).until(() -> guards.breakerState("b") == CircuitBreaker.State.HALF_OPEN);
        assertThat(guards.callWithRetry("b", sync)).isEqualTo("synced");
        assertThat(guards.breakerState("b")).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aHangingPeerRunsOutOfTimeAndIsInterrupted() throws InterruptedException {
        guards = new PeerGuards(new CatchUpSettings(null, null, Duration.ofMillis(200),
                new CatchUpSettings.Retry(1, null, null, null, null), null),
                retries, CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        CountDownLatch interrupted = new CountDownLatch(1);

        assertThatThrownBy(() -> guards.callWithRetry("slow", () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "late";
        })).isInstanceOf(TimeoutException.class);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void oneDeadPeerDoesNotOpenTheBreakerOfAnother() throws Exception {
        guards = guards(new CatchUpSettings.Retry(1, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofSeconds(10), 1));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> guards.callWithRetry("dead", () -> {
                throw new ConnectException("refused");
            })).isInstanceOf(Exception.class);
        }
        assertThat(guards.breakerState("dead")).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(guards.callWithRetry("alive", () -> "ok")).isEqualTo("ok");
        assertThat(guards.breakerState("alive")).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private PeerGuards guards(CatchUpSettings.Retry retry, CatchUpSettings.Breaker breaker) {
        return new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofSeconds(5), retry, breaker),
                retries, CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
    }
}
