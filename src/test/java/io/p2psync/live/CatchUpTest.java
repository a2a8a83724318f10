package io.p2psync.live;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.times;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.peers.PeerSource;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import io.p2psync.changes.EntryRef;
import io.p2psync.changes.VersionVector;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The live network's catch-ups are rounds of the one per-peer scheduler, at the url identify taught. */
class CatchUpTest {

    private final PeerRunner runner = mock(PeerRunner.class);
    private final PeerDirectory directory = mock(PeerDirectory.class);
    private final LearnedRestUrls urls = new LearnedRestUrls();
    /** What this node holds, as the chase reads it. */
    private final java.util.concurrent.atomic.AtomicReference<VersionVector> held =
            new java.util.concurrent.atomic.AtomicReference<>(VersionVector.EMPTY);
    private final java.util.concurrent.ScheduledExecutorService timer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private final CatchUp catchUp = new CatchUp(runner, directory, urls, held::get,
            (pause, task) -> timer.schedule(task, pause.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
            Duration.ofMillis(10));
    private final PeerId id = PrivateKey.generate().peerId();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private Peer peer(PeerId device, String name) {
        Peer peer = new Peer(device.toString(), device, name, URI.create("http://192.168.1.7:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(eq(device), any())).thenReturn(Optional.of(peer));
        return peer;
    }

    /** The scheduler runs a round at once, and what this node holds after it is {@code after} of the rounds so far. */
    private void roundsLeave(java.util.function.IntFunction<VersionVector> after) {
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        when(runner.request(any(), eq(PeerRunner.Trigger.GAP))).thenAnswer(call -> {
            held.set(after.apply(rounds.incrementAndGet()));
            return CompletableFuture.completedFuture(null);
        });
    }

    @Test
    void anEntryAfterAGapIsChasedAtTheSenderAndTheOriginUntilThisNodeHoldsIt() throws InterruptedException {
        Peer relay = peer(id, "home server");
        PeerId laptopId = PrivateKey.generate().peerId();
        Peer laptop = peer(laptopId, "laptop");
        // neither the relay's first round nor the laptop's brings it; the relay's second does
        roundsLeave(n -> n < 3 ? VersionVector.EMPTY : VersionVector.of(Map.of(laptopId.toString(), 7L)));

        catchUp.missing(id, new EntryRef(laptopId.toString(), 7));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            InOrder order = inOrder(runner);
            order.verify(runner).request(relay, PeerRunner.Trigger.GAP);
            order.verify(runner).request(laptop, PeerRunner.Trigger.GAP);
            order.verify(runner).request(relay, PeerRunner.Trigger.GAP);
        });
        Thread.sleep(200); // ten times the pause before another attempt: none comes once it is held
        verify(runner, times(3)).request(any(), any());
    }

    @Test
    void aChaseGivesUpAfterItsAttemptsAndLeavesTheRestToTheScheduledCatchUp() throws InterruptedException {
        Peer relay = peer(id, "home server");
        roundsLeave(n -> VersionVector.EMPTY);

        catchUp.missing(id, new EntryRef(id.toString(), 3)); // the sender's own entry: nobody else to ask

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                verify(runner, times(CatchUp.ATTEMPTS)).request(relay, PeerRunner.Trigger.GAP));
        Thread.sleep(1_000); // more than twice the last pause
        verify(runner, times(CatchUp.ATTEMPTS)).request(any(), any());
    }

    @Test
    void gapsWhileAChaseRunsJoinItInsteadOfStartingMore() {
        Peer relay = peer(id, "home server");
        CompletableFuture<PeerRunner.RoundReport> running = new CompletableFuture<>();
        when(runner.request(relay, PeerRunner.Trigger.GAP)).thenReturn(running);

        catchUp.missing(id, new EntryRef(id.toString(), 3));
        catchUp.missing(id, new EntryRef(id.toString(), 4));
        catchUp.missing(id, new EntryRef(id.toString(), 5));
        held.set(VersionVector.of(Map.of(id.toString(), 5L)));
        running.complete(null);

        verify(runner, times(1)).request(any(), any());
    }

    @Test
    void aGapAsksTheSchedulerForARoundAtTheLearnedUrl() {
        urls.learn(id, "http://192.168.1.7:8080");
        Peer peer = new Peer(id.toString(), id, "phone", URI.create("http://192.168.1.7:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(id, URI.create("http://192.168.1.7:8080"))).thenReturn(Optional.of(peer));

        catchUp.request(id);

        verify(runner).submit(peer, PeerRunner.Trigger.GAP);
    }

    @Test
    void aConnectionAsksForAConnectedRoundAtTheStoredUrlWhenNoneWasLearned() {
        Peer peer = new Peer(id.toString(), id, "phone", URI.create("http://100.64.0.2:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(id, null)).thenReturn(Optional.of(peer));

        catchUp.connected(id);

        verify(runner).submit(peer, PeerRunner.Trigger.CONNECTED);
    }

    @Test
    void aDeviceThatIsNotAuthorizedGetsNoRound() {
        when(directory.target(eq(id), any())).thenReturn(Optional.empty());

        catchUp.request(id);

        verify(runner, never()).submit(any(), any());
    }
}
