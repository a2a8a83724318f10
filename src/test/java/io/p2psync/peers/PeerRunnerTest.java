package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerRunnerTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, AtomicInteger> rounds = new ConcurrentHashMap<>();
    private final PeerHealth health = new PeerHealth();
    private PeerGuards guards;
    private PeerRunner runner;

    @AfterEach
    void stop() {
        release.countDown();
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    void aHangingPeerDoesNotDelayTheOthers() {
        runner = runner(peer -> {
            count(peer);
            if (peer.key().equals("hanging")) {
                release.await();
            }
            return new RoundOutcome(1, 2, 0, 0);
        });

        runner.submit(peer("hanging"), PeerRunner.Trigger.CATCH_UP);
        runner.submit(peer("fine"), PeerRunner.Trigger.CATCH_UP);

        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("fine").lastSuccessAt() != null);
        assertThat(health.isRunning("hanging")).isTrue();
        assertThat(health.healthy("fine")).isTrue();
    }

    @Test
    void aPeerHasOneRoundAtATimeAndAChangeMeanwhileGetsOneMoreRound() {
        runner = runner(peer -> {
            if (count(peer) == 1) {
                release.await();
            }
            return new RoundOutcome(0, 0, 0, 0);
        });
        Peer peer = peer("busy");

        assertThat(runner.submit(peer, PeerRunner.Trigger.CATCH_UP)).isTrue();
        await().atMost(10, TimeUnit.SECONDS).until(() -> rounds("busy") == 1);
        assertThat(runner.submit(peer, PeerRunner.Trigger.CATCH_UP)).isFalse();
        assertThat(runner.submit(peer, PeerRunner.Trigger.CHANGE)).isFalse();
        assertThat(runner.submit(peer, PeerRunner.Trigger.CHANGE)).isFalse();
        release.countDown();

        await().atMost(10, TimeUnit.SECONDS).until(() -> !health.isRunning("busy"));
        assertThat(rounds("busy")).as("the first round and one more for the changes").isEqualTo(2);
    }

    @Test
    void failedRoundsAreCountedAndASuccessResetsThem() {
        AtomicInteger calls = new AtomicInteger();
        runner = runner(peer -> {
            if (calls.incrementAndGet() == 1) {
                throw new ConnectException("Connection refused");
            }
            return new RoundOutcome(3, 0, 0, 0);
        });
        Peer peer = peer("flaky");

        runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("flaky").failedRounds() == 1);
        assertThat(health.record("flaky").lastError()).isEqualTo("Connection refused");
        assertThat(health.healthy("flaky")).isFalse();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !health.isRunning("flaky"));

        runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("flaky").lastSuccessAt() != null);
        assertThat(health.record("flaky").failedRounds()).isZero();
        assertThat(health.record("flaky").lastError()).isNull();
    }

    @Test
    void aFailedTrialRoundWhileTheBreakerIsHalfOpenCountsAsAFailedRound() {
        guards = new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofSeconds(30),
                new CatchUpSettings.Retry(3, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofSeconds(3), 1)),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        runner = new PeerRunner(peer -> {
            count(peer);
            throw new ConnectException("Connection refused");
        }, guards, health, Clock.systemUTC());
        Peer peer = peer("down");

        runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("down").failedRounds() == 1 && !health.isRunning("down"));
        assertThat(rounds("down")).as("the breaker opened after two attempts and stopped the retries").isEqualTo(2);

        // open: a round is skipped without calling the peer and without counting
        runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> !health.isRunning("down"));
        assertThat(rounds("down")).isEqualTo(2);
        assertThat(health.record("down").failedRounds()).isEqualTo(1);

        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> guards.breakerState("down") == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
        runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> !health.isRunning("down") && rounds("down") == 3);
        assertThat(health.record("down").failedRounds()).isEqualTo(2);
        assertThat(health.record("down").lastError()).isEqualTo("Connection refused");
    }

    @Test
    void takesNoRoundsOnceStopped() {
        runner = runner(peer -> {
            count(peer);
            return new RoundOutcome(0, 0, 0, 0);
        });
        runner.stop();

        assertThat(runner.submit(peer("late"), PeerRunner.Trigger.CATCH_UP)).isFalse();
        assertThat(rounds("late")).isZero();
    }

    private PeerRunner runner(PeerSync sync) {
        guards = new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofSeconds(30),
                new CatchUpSettings.Retry(1, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)), null),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        return new PeerRunner(sync, guards, health, Clock.systemUTC());
    }

    private int count(Peer peer) {
        return rounds.computeIfAbsent(peer.key(), k -> new AtomicInteger()).incrementAndGet();
    }

    private int rounds(String key) {
        return rounds.getOrDefault(key, new AtomicInteger()).get();
    }

    private static Peer peer(String key) {
        return new Peer(key, null, key, URI.create("http://127.0.0.1:1"), EnumSet.of(PeerSource.CONFIG), false, null);
    }
}
