package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OneRunPerPeerTest {

    private final OneRunPerPeer runs = new OneRunPerPeer();
    private final PeerId peer = PrivateKey.generate().peerId();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aPassAskedForWhileOneRunsIsRunByTheOwnerAfterwardsNotBesideIt() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger passes = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Runnable pass = () -> {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            if (passes.incrementAndGet() == 1) {
                inFirst.countDown();
                await(release);
            }
            atOnce.decrementAndGet();
        };
        Future<?> owner = threads.submit(() -> runs.run(peer, pass));
        assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();

        runs.run(peer, pass); // the owner holds the peer: this returns at once, leaving the pass to it
        runs.run(peer, pass); // asked twice while running: still one more pass, not two
        assertThat(passes).hasValue(1);

        release.countDown();
        owner.get(5, TimeUnit.SECONDS);
        assertThat(passes).as("the owner ran the pass asked for meanwhile").hasValue(2);
        assertThat(mostAtOnce).as("never two passes for one peer at once").hasValue(1);
    }

    @Test
    void aPassThatFailsDoesNotStrandARequestMadeDuringIt() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger passes = new AtomicInteger();
        Runnable pass = () -> {
            if (passes.incrementAndGet() == 1) {
                inFirst.countDown();
                await(release);
                throw new IllegalStateException("the database was busy");
            }
        };
        Future<?> owner = threads.submit(() -> runs.run(peer, pass));
        assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
        runs.run(peer, pass); // left to the owner, whose pass then fails
        release.countDown();

        assertThatThrownBy(() -> owner.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("the database was busy");
        assertThat(passes).as("the request made during the failed pass still ran").hasValue(2);
    }

    @Test
    void passesForDifferentPeersRunSideBySide() throws Exception {
        PeerId other = PrivateKey.generate().peerId();
        CountDownLatch both = new CountDownLatch(2);
        Future<?> a = threads.submit(() -> runs.run(peer, () -> {
            both.countDown();
            await(both);
        }));
        Future<?> b = threads.submit(() -> runs.run(other, () -> {
            both.countDown();
            await(both);
        }));
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        assertThat(both.getCount()).isZero();
    }

    /** Many askers at random moments: passes never overlap, and one starts after the last request. */
    @Test
    void underManyAskersPassesNeverOverlapAndTheLastRequestIsServed() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger seenByLastPass = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Runnable pass = () -> {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            seenByLastPass.set(requests.get()); // a pass sees every request made before it started
            Thread.onSpinWait();
            atOnce.decrementAndGet();
        };
        List<Future<?>> askers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            askers.add(threads.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    requests.incrementAndGet();
                    runs.run(peer, pass);
                }
            }));
        }
        for (Future<?> f : askers) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(seenByLastPass).as("a pass started after the last request").hasValue(requests.get());
        assertThat(mostAtOnce).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
