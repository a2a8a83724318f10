package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.p2psync.sync.RejectionReason;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

    /**
     * A round that ends in an {@link Error} (out of memory while decoding a large page, say) is a failed round
     * like any other: the peer is not left marked as running, whoever waits for the round hears of it, and the
     * next round runs.
     */
    @Test
    void aRoundThatThrowsAnErrorFailsAndTheNextRoundRuns() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        runner = runner(peer -> {
            if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space");
            }
            return new RoundOutcome(2, 0, 0, 0);
        });
        Peer peer = peer("heavy");

        PeerRunner.RoundReport first = runner.request(peer, PeerRunner.Trigger.MANUAL).get(10, TimeUnit.SECONDS);

        assertThat(first.result()).isEqualTo(PeerRunner.RoundReport.Result.FAILED);
        assertThat(first.error()).contains("Java heap space");
        assertThat(health.isRunning("heavy")).isFalse();
        assertThat(health.record("heavy").failedRounds()).isEqualTo(1);
        assertThat(health.healthy("heavy")).isFalse();
        PeerRunner.RoundReport second = runner.request(peer, PeerRunner.Trigger.MANUAL).get(10, TimeUnit.SECONDS);
        assertThat(second.result()).isEqualTo(PeerRunner.RoundReport.Result.COMPLETED);
        assertThat(health.record("heavy").failedRounds()).isZero();
    }

    /**
     * An attempt that runs out of time is interrupted, but a round stops only between pages: the retry waits for
     * it, within its own time limit, instead of running a second round with the peer beside it.
     */
    @Test
    void aRetryWaitsForAnAttemptThatRanOutOfTimeInsteadOfRunningBesideIt() {
        guards = new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofMillis(300),
                new CatchUpSettings.Retry(3, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)), null),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        runner = new PeerRunner(peer -> {
            count(peer);
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                // a page still being applied: goes on for a while after the interrupt
                long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return new RoundOutcome(0, 0, 0, 0);
            } finally {
                inside.decrementAndGet();
            }
        }, guards, health, Clock.systemUTC());

        runner.submit(peer("slow"), PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("slow").failedRounds() == 1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> inside.get() == 0);

        assertThat(mostInside).as("attempts with the peer at once").hasValue(1);
        assertThat(rounds("slow")).as("the retries ran out of time waiting for their turn").isEqualTo(1);
    }

    /**
     * A peer that keeps saying "try again in 300 ms" is asked again once per wait, however many changes ask for a
     * round meanwhile: they fold into the one retry. It stays healthy with a closed breaker, and once it has said so
     * for longer than the catch-up interval its round counts as failed and it is left to the catch-up.
     */
    @Test
    void aPeerThatSaysTryAgainIsAskedAgainOnceWhenItSaidHoweverManyAskMeanwhile() throws Exception {
        guards = new PeerGuards(new CatchUpSettings(Duration.ofSeconds(3), null, Duration.ofSeconds(30),
                new CatchUpSettings.Retry(3, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofSeconds(3), 1)),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        runner = new PeerRunner(peer -> {
            count(peer);
            throw new TryAgainLater("HTTP 503 Try again later", Duration.ofMillis(300));
        }, guards, health, Clock.systemUTC());
        Peer peer = peer("busy");

        long start = System.nanoTime();
        runner.submit(peer, PeerRunner.Trigger.CHANGE);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(150);
            runner.submit(peer, PeerRunner.Trigger.CHANGE);
            runner.submit(peer, PeerRunner.Trigger.CATCH_UP);
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        int asked = rounds("busy");
        assertThat(asked).as("rounds in %d ms, one retry per 300 ms wait", elapsedMs)
                .isBetween(2, (int) (elapsedMs / 300) + 2);
        assertThat(health.healthy("busy")).isTrue();
        assertThat(health.record("busy").failedRounds()).isZero();
        assertThat(health.record("busy").lastError()).contains("Try again later");
        assertThat(health.record("busy").retryAt()).isNotNull();
        assertThat(guards.breakerState("busy")).isEqualTo(CircuitBreaker.State.CLOSED);

        // past the interval (3 s) of saying so: one failed round, then nothing until the catch-up asks
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("busy").failedRounds() == 1);
        await().atMost(5, TimeUnit.SECONDS).until(() -> !health.isRunning("busy"));
        int atFailure = rounds("busy");
        Thread.sleep(700);
        assertThat(rounds("busy")).as("no retry after the failed round").isEqualTo(atFailure);
        assertThat(health.record("busy").retryAt()).isNull();
    }

    @Test
    void stoppingDropsTheRetryOfARoundPutOff() throws Exception {
        runner = runner(peer -> {
            count(peer);
            throw new TryAgainLater("HTTP 503 Try again later", Duration.ofMillis(300));
        });
        runner.submit(peer("busy"), PeerRunner.Trigger.CHANGE);
        await().atMost(5, TimeUnit.SECONDS).until(() -> health.record("busy").retryAt() != null);
        runner.stop();
        int atStop = rounds("busy");
        Thread.sleep(700);
        assertThat(rounds("busy")).isEqualTo(atStop);
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
    void aRequestWhileARoundRunsIsAnsweredByTheOneMoreRoundAfterIt() throws Exception {
        runner = runner(peer -> {
            if (count(peer) == 1) {
                release.await();
            }
            return new RoundOutcome(rounds(peer.key()), 0, 0, 0);
        });
        Peer peer = peer("busy");

        CompletableFuture<PeerRunner.RoundReport> first = runner.request(peer, PeerRunner.Trigger.CATCH_UP);
        await().atMost(10, TimeUnit.SECONDS).until(() -> rounds("busy") == 1);
        CompletableFuture<PeerRunner.RoundReport> manual = runner.request(peer, PeerRunner.Trigger.MANUAL);
        CompletableFuture<PeerRunner.RoundReport> skipped = runner.request(peer, PeerRunner.Trigger.CATCH_UP);
        assertThat(skipped.get(10, TimeUnit.SECONDS).result()).isEqualTo(PeerRunner.RoundReport.Result.SKIPPED);
        assertThat(manual).isNotDone();
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).outcome().pulled()).isEqualTo(1);
        PeerRunner.RoundReport answer = manual.get(10, TimeUnit.SECONDS);
        assertThat(answer.result()).isEqualTo(PeerRunner.RoundReport.Result.COMPLETED);
        assertThat(answer.trigger()).isEqualTo(PeerRunner.Trigger.MANUAL);
        assertThat(answer.outcome().pulled()).as("answered by the round that started after the request").isEqualTo(2);
    }

    @Test
    void aManualRoundLetsATrialThroughAnOpenBreakerAndRoundsAreCounted() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger calls = new AtomicInteger();
        guards = new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofSeconds(30),
                new CatchUpSettings.Retry(1, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofMinutes(5), 1)),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        runner = new PeerRunner(peer -> {
            if (calls.incrementAndGet() <= 2) {
                throw new ConnectException("Connection refused");
            }
            return new RoundOutcome(1, 0, 0, 0);
        }, guards, health, new RunningRounds(Clock.systemUTC()), meters, Clock.systemUTC());
        Peer peer = peer("back");
        runner.request(peer, PeerRunner.Trigger.CATCH_UP).get(10, TimeUnit.SECONDS);
        runner.request(peer, PeerRunner.Trigger.CATCH_UP).get(10, TimeUnit.SECONDS);
        assertThat(guards.breakerState("back")).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(runner.request(peer, PeerRunner.Trigger.CHANGE).get(10, TimeUnit.SECONDS).result())
                .isEqualTo(PeerRunner.RoundReport.Result.SKIPPED);

        PeerRunner.RoundReport manual = runner.request(peer, PeerRunner.Trigger.MANUAL).get(10, TimeUnit.SECONDS);

        assertThat(manual.result()).isEqualTo(PeerRunner.RoundReport.Result.COMPLETED);
        assertThat(guards.breakerState("back")).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(meters.get(PeerRunner.ROUNDS).tag("peer", "back").tag("outcome", "failed").counter().count())
                .isEqualTo(2);
        assertThat(meters.get(PeerRunner.ROUNDS).tag("peer", "back").tag("outcome", "skipped").counter().count())
                .isEqualTo(1);
        assertThat(meters.get(PeerRunner.ROUNDS).tag("peer", "back").tag("outcome", "ok").counter().count())
                .isEqualTo(1);
    }

    /**
     * {@code /sync/now} while a round runs is answered by the one more round after it, and a gap noticed after the
     * request does not turn that round into a gap's (delayed, and skipped by an open breaker): it stays the
     * admin's, which lets a trial through.
     */
    @Test
    void aGapAfterSyncNowLeavesTheFollowUpRoundTheAdminsOne() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Peer peer = aTrialRoundRunningWithABrokenPeer(calls);

        CompletableFuture<PeerRunner.RoundReport> syncNow = runner.request(peer, PeerRunner.Trigger.MANUAL);
        runner.submit(peer, PeerRunner.Trigger.GAP);
        release.countDown();

        assertThat(syncNow.get(10, TimeUnit.SECONDS).result()).isEqualTo(PeerRunner.RoundReport.Result.COMPLETED);
    }

    /** The same with {@code /sync/now} asked while the gap's follow-up round waits its second to start. */
    @Test
    void syncNowDuringTheGapsDelayIsTheRoundThatRuns() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Peer peer = aTrialRoundRunningWithABrokenPeer(calls);
        runner.submit(peer, PeerRunner.Trigger.GAP);
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> health.record("flaky").failedRounds() == 3);

        PeerRunner.RoundReport syncNow = runner.request(peer, PeerRunner.Trigger.MANUAL).get(10, TimeUnit.SECONDS);

        assertThat(syncNow.result()).isEqualTo(PeerRunner.RoundReport.Result.COMPLETED);
        await().atMost(10, TimeUnit.SECONDS).until(() -> !health.isRunning("flaky"));
        assertThat(calls).as("two catch-ups, the trial, and the one round /sync/now asked for").hasValue(4);
    }

    /**
     * A peer whose first three rounds fail: two catch-ups open its breaker, and a trial on connect runs (and fails)
     * once {@link #release} is counted down. Answers the peer with that trial round running.
     */
    private Peer aTrialRoundRunningWithABrokenPeer(AtomicInteger calls) throws Exception {
        CountDownLatch trialStarted = new CountDownLatch(1);
        guards = new PeerGuards(new CatchUpSettings(Duration.ofMinutes(5), null, Duration.ofSeconds(30),
                new CatchUpSettings.Retry(1, Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1)),
                new CatchUpSettings.Breaker(2, 2, 50, Duration.ofMinutes(5), 1)),
                RetryRegistry.ofDefaults(), CircuitBreakerRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults());
        runner = new PeerRunner(peer -> {
            int call = calls.incrementAndGet();
            if (call == 3) {
                trialStarted.countDown();
                release.await();
            }
            if (call <= 3) {
                throw new ConnectException("Connection refused");
            }
            return new RoundOutcome(1, 0, 0, 0);
        }, guards, health, Clock.systemUTC());
        Peer peer = peer("flaky");
        runner.request(peer, PeerRunner.Trigger.CATCH_UP).get(10, TimeUnit.SECONDS);
        runner.request(peer, PeerRunner.Trigger.CATCH_UP).get(10, TimeUnit.SECONDS);
        assertThat(guards.breakerState("flaky")).isEqualTo(CircuitBreaker.State.OPEN);
        runner.submit(peer, PeerRunner.Trigger.CONNECTED);
        assertThat(trialStarted.await(10, TimeUnit.SECONDS)).isTrue();
        return peer;
    }

    @Test
    void keepsTheRefusalsOfTheLatestRoundWithTheirReasons() throws Exception {
        runner = runner(peer -> new RoundOutcome(3, 0, 0, 2, Map.of(RejectionReason.REVOKED_ORIGIN, 2), 0));

        runner.request(peer("strict"), PeerRunner.Trigger.CATCH_UP).get(10, TimeUnit.SECONDS);

        assertThat(health.record("strict").refused()).isEqualTo(2);
        assertThat(health.record("strict").refusals()).containsEntry(RejectionReason.REVOKED_ORIGIN, 2);
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
