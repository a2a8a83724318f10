package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.changes.EntryRef;
import io.p2psync.changes.VersionVector;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.peers.PeerSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** Chasing an entry gossiped after a gap, with the scheduler's rounds mocked and the pauses run by hand. */
class GapChaseTest {

    private final PeerRunner runner = mock(PeerRunner.class);
    private final PeerDirectory directory = mock(PeerDirectory.class);
    private final CatchUp catchUp = new CatchUp(runner, directory, new LearnedRestUrls());
    /** What this node holds, as the chase reads it. */
    private final AtomicReference<VersionVector> held = new AtomicReference<>(VersionVector.EMPTY);
    /** The later attempts the chase asked for, with their pauses, run by hand. */
    private final ArrayDeque<Runnable> timer = new ArrayDeque<>();
    private final List<Duration> pauses = new ArrayList<>();
    private final GapChase chase = new GapChase(runner, catchUp::target, () -> held.get(), (pause, task) -> {
        pauses.add(pause);
        timer.add(task);
    }, Duration.ofSeconds(1));
    private final PeerId id = PrivateKey.generate().peerId();

    private Peer peer(PeerId device, String name) {
        Peer peer = new Peer(device.toString(), device, name, URI.create("http://192.168.1.7:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(eq(device), any())).thenReturn(Optional.of(peer));
        return peer;
    }

    /** The scheduler runs each round at once; after round n this node holds {@code after.apply(n)}. */
    private void roundsLeave(IntFunction<VersionVector> after) {
        AtomicInteger rounds = new AtomicInteger();
        when(runner.request(any(), eq(PeerRunner.Trigger.GAP))).thenAnswer(call -> {
            held.set(after.apply(rounds.incrementAndGet()));
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Runs the later attempts the chase asks for until it asks for none (or 1,000 ran); answers how many ran. */
    private int runTimer() {
        int ran = 0;
        while (!timer.isEmpty() && ran < 1_000) {
            timer.poll().run();
            ran++;
        }
        return ran;
    }

    @Test
    void anEntryAfterAGapIsChasedAtTheSenderAndTheOriginUntilThisNodeHoldsIt() {
        Peer relay = peer(id, "home server");
        PeerId laptopId = PrivateKey.generate().peerId();
        Peer laptop = peer(laptopId, "laptop");
        // neither the relay's first round nor the laptop's brings it; the relay's second does
        roundsLeave(n -> n < 3 ? VersionVector.EMPTY : VersionVector.of(Map.of(laptopId.toString(), 7L)));

        chase.missing(id, new EntryRef(laptopId.toString(), 7));
        assertThat(runTimer()).isEqualTo(1);

        InOrder order = inOrder(runner);
        order.verify(runner).request(relay, PeerRunner.Trigger.GAP);
        order.verify(runner).request(laptop, PeerRunner.Trigger.GAP);
        order.verify(runner).request(relay, PeerRunner.Trigger.GAP);
        verify(runner, times(3)).request(any(), any());
        assertThat(pauses).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void aChaseGivesUpAfterItsAttemptsWithPausesThatDouble() {
        Peer relay = peer(id, "home server");
        roundsLeave(n -> VersionVector.EMPTY);

        chase.missing(id, new EntryRef(id.toString(), 3)); // the sender's own entry: nobody else to ask
        runTimer();

        verify(runner, times(GapChase.ATTEMPTS)).request(relay, PeerRunner.Trigger.GAP);
        verify(runner, times(GapChase.ATTEMPTS)).request(any(), any());
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16));

        chase.missing(id, new EntryRef(id.toString(), 3)); // given up: the sender's next gap starts again
        verify(runner, times(GapChase.ATTEMPTS + 1)).request(relay, PeerRunner.Trigger.GAP);
    }

    @Test
    void gapsWhileAChaseRunsJoinItInsteadOfStartingMore() {
        Peer relay = peer(id, "home server");
        CompletableFuture<PeerRunner.RoundReport> running = new CompletableFuture<>();
        when(runner.request(relay, PeerRunner.Trigger.GAP)).thenReturn(running);

        chase.missing(id, new EntryRef(id.toString(), 3));
        chase.missing(id, new EntryRef(id.toString(), 4));
        chase.missing(id, new EntryRef(id.toString(), 5));
        held.set(VersionVector.of(Map.of(id.toString(), 5L)));
        running.complete(null);

        assertThat(runTimer()).isZero();
        verify(runner, times(1)).request(any(), any());
    }

    @Test
    void aNewerEntryDuringTheLastAttemptGetsEveryAttemptAgain() {
        Peer relay = peer(id, "home server");
        AtomicInteger rounds = new AtomicInteger();
        when(runner.request(relay, PeerRunner.Trigger.GAP)).thenAnswer(call -> {
            if (rounds.incrementAndGet() == GapChase.ATTEMPTS) {
                chase.missing(id, new EntryRef(id.toString(), 9)); // gossiped while the last attempt runs
            }
            return CompletableFuture.completedFuture(null);
        });

        chase.missing(id, new EntryRef(id.toString(), 3));
        runTimer();

        verify(runner, times(2 * GapChase.ATTEMPTS)).request(relay, PeerRunner.Trigger.GAP);
    }

    /**
     * An entry that never comes (too large to be served, say) while the sender keeps gossiping newer ones: the
     * chase backs off and ends, instead of a round every second for as long as the origin writes.
     */
    @Test
    void aChaseThatNewerEntriesKeepAliveStillBacksOffAndEnds() {
        Peer relay = peer(id, "home server");
        AtomicInteger rounds = new AtomicInteger();
        when(runner.request(relay, PeerRunner.Trigger.GAP)).thenAnswer(call -> {
            chase.missing(id, new EntryRef(id.toString(), 10 + rounds.incrementAndGet())); // the stream goes on
            return CompletableFuture.completedFuture(null);
        });

        chase.missing(id, new EntryRef(id.toString(), 3));
        runTimer();

        verify(runner, times(GapChase.MAX_ATTEMPTS)).request(relay, PeerRunner.Trigger.GAP);
        assertThat(pauses).startsWith(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(16)).hasSize(GapChase.MAX_ATTEMPTS - 1);
    }

    @Test
    void aChaseThatFailsEndsSoTheSendersNextGapStartsAnother() {
        Peer relay = peer(id, "home server");
        roundsLeave(n -> VersionVector.EMPTY);
        AtomicInteger reads = new AtomicInteger();
        GapChase failing = new GapChase(runner, catchUp::target, () -> {
            if (reads.incrementAndGet() == 1) {
                throw new org.springframework.dao.TransientDataAccessResourceException("database is locked");
            }
            return held.get();
        }, (pause, task) -> timer.add(task), Duration.ofSeconds(1));

        failing.missing(id, new EntryRef(id.toString(), 3));
        assertThat(runTimer()).as("the failed chase asked for nothing more").isZero();
        held.set(VersionVector.of(Map.of(id.toString(), 3L)));
        failing.missing(id, new EntryRef(id.toString(), 9));

        verify(runner, times(2)).request(relay, PeerRunner.Trigger.GAP);
    }
}
