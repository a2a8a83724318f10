package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.VersionVector;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.util.unit.DataSize;

/** The round logic of {@link SyncManager}, with its collaborators stubbed. */
class SyncManagerTest {

    private final PeerClient client = mock(PeerClient.class);
    private final EntryReceiver receiver = mock(EntryReceiver.class);
    private final DeviceRepository devices = mock(DeviceRepository.class);
    private final PeerProgress progress = mock(PeerProgress.class);
    private final SyncSettings settings = new SyncSettings(DataSize.ofMegabytes(1), 100, 2, 100, 50,
            DataSize.ofKilobytes(512), DataSize.ofKilobytes(512), DataSize.ofMegabytes(1),
            DataSize.ofKilobytes(8), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1));
    private final ChangeTracker tracker = mock(ChangeTracker.class);
    private final SyncManager manager = new SyncManager(client, new StaticListableBeanFactory().getBeanProvider(Libp2pRoutes.class),
            new StaticListableBeanFactory().getBeanProvider(PeerLocator.class), tracker, mock(io.p2psync.changes.Forks.class), receiver,
            devices, progress, settings, new SyncMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
            new StaticListableBeanFactory(Map.of("clock", Clock.systemUTC()))
                    .getBeanProvider(Clock.class),
            new StaticListableBeanFactory().getBeanProvider(io.p2psync.changes.PeerColumnHistory.class));

    private static final LogPage EMPTY_PAGE = new LogPage(List.of(), 0, false, List.of());

    private final PrivateKey peerKey = PrivateKey.generate();
    private final Device peer = new Device(peerKey.peerId(), "peer", "http://127.0.0.1:1", DeviceStatus.AUTHORIZED,
            null, null, null, Instant.now());

    /** The round reaches the mocked client's pull and push through its REST channel, as it does for real. */
    @org.junit.jupiter.api.BeforeEach
    void restChannelCallsTheClient() {
        when(client.channel(anyString(), any())).thenCallRealMethod();
    }

    /**
     * A round whose thread is interrupted (its time limit ran out, so the scheduler has counted it as failed and
     * may start the next attempt) stops at the next page instead of pulling and applying the rest unlimited
     * beside that attempt.
     */
    @Test
    void anInterruptedRoundStopsAtTheNextPageInsteadOfApplyingTheRest() throws Exception {
        PrivateKey origin = PrivateKey.generate();
        List<ChangeEntry> entries = ThreeNodeSyncIT.chain(origin, "o", 6);
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);
        java.util.concurrent.CountDownLatch secondAsked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        when(client.pull(anyString(), eq(peerKey.peerId()), any())).thenAnswer(call -> {
            VersionVector v = ((PullRequest) call.getArgument(2)).vector();
            List<ChangeEntry> left = entries.stream().filter(e -> e.version() > v.get(e.origin())).toList();
            if (left.get(0).version() == 3) {
                secondAsked.countDown();
                release.await();
            }
            return new PullResponse(left.subList(0, 2), VersionVector.of(Map.of(origin.peerId().toString(), 6L)),
                    left.size() > 2);
        });
        List<Integer> applied = java.util.Collections.synchronizedList(new ArrayList<>());
        when(receiver.receive(any(), eq(peerKey.peerId()))).thenAnswer(call -> {
            List<ChangeEntry> page = call.getArgument(0);
            page.forEach(e -> applied.add((int) e.version()));
            return new PushResponse(page.size(), 0, 0, 0, 0, List.of());
        });
        java.util.concurrent.atomic.AtomicReference<PeerSyncResult> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread round = new Thread(() -> result.set(manager.syncWith(peer)));
        round.start();
        assertThat(secondAsked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> applied.size() == 2);

        round.interrupt(); // what the time limiter does when the attempt's time is up
        round.join(10_000);
        release.countDown();

        assertThat(round.isAlive()).isFalse();
        assertThat(applied).as("only the page before the interrupt").containsExactly(1, 2);
        assertThat(result.get().completed()).isFalse();
        assertThat(result.get().error()).contains("ran out of time");
    }

    @Test
    void stopsAskingForAnOriginWhoseEntryWasRefusedButGoesOnWithTheOthers() {
        PrivateKey bad = PrivateKey.generate();
        PrivateKey good = PrivateKey.generate();
        List<ChangeEntry> bads = ThreeNodeSyncIT.chain(bad, "bad", 2);
        List<ChangeEntry> goods = ThreeNodeSyncIT.chain(good, "good", 2);
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);
        List<VersionVector> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        when(client.pull(anyString(), eq(peerKey.peerId()), any())).thenAnswer(call -> {
            PullRequest request = call.getArgument(2);
            asked.add(request.vector());
            VersionVector v = request.vector();
            List<ChangeEntry> page = new ArrayList<>();
            for (ChangeEntry e : concat(bads, goods)) {
                if (e.version() > v.get(e.origin()) && page.size() < 2) {
                    page.add(e);
                }
            }
            boolean more = concat(bads, goods).stream().filter(e -> e.version() > v.get(e.origin())).count() > 2;
            return new PullResponse(page, VersionVector.EMPTY, more);
        });
        // bad#1 is refused (and so is bad#2 after it); good's entries are applied.
        when(receiver.receive(any(), eq(peerKey.peerId()))).thenAnswer(call -> {
            List<ChangeEntry> page = call.getArgument(0);
            int accepted = 0;
            List<PushResponse.Rejection> rejections = new ArrayList<>();
            for (ChangeEntry e : page) {
                if (e.origin().equals(bad.peerId().toString())) {
                    rejections.add(new PushResponse.Rejection(e.origin(), e.version(), RejectionReason.BAD_HASH, "test"));
                } else {
                    accepted++;
                }
            }
            return new PushResponse(accepted, 0, 0, 0, rejections.size(), rejections);
        });

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.pulled()).isEqualTo(2);
        assertThat(result.rejected()).isEqualTo(2);
        assertThat(result.error()).contains("2 entries refused");
        assertThat(result.completed()).isTrue(); // refusals alone: the peer answered
        // The page after the refusal was asked for again with the refused origin marked as fully known
        // (the request sent ahead while the first page was applied may or may not have gone out).
        assertThat(asked).anySatisfy(v -> {
            assertThat(v.get(bad.peerId().toString())).isEqualTo(Long.MAX_VALUE);
            assertThat(v.get(good.peerId().toString())).isZero();
        });
        verify(receiver, org.mockito.Mockito.times(2)).receive(any(), eq(peerKey.peerId()));
        verify(progress).recordSuccess(eq(peerKey.peerId().toString()), any(), any());
    }

    @Test
    void recordsAnUnreachablePeerAsAFailedRoundWithoutThrowing() {
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(client.pull(anyString(), any(), any())).thenThrow(new PeerException("cannot reach", 0, null));

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.error()).contains("cannot reach");
        ArgumentCaptor<String> error = ArgumentCaptor.forClass(String.class);
        verify(progress).recordFailure(eq(peerKey.peerId().toString()), error.capture(), any());
        assertThat(error.getValue()).contains("cannot reach");
        verify(devices, never()).recordSync(any(), any());
    }

    /** A manager whose live network has {@code channel} open to the peer. */
    private SyncManager withLibp2p(SyncChannel channel) {
        Libp2pRoutes routes = peer -> peer.equals(peerKey.peerId()) ? java.util.Optional.of(channel) : java.util.Optional.empty();
        return new SyncManager(client, new StaticListableBeanFactory(Map.of("routes", routes)).getBeanProvider(Libp2pRoutes.class),
                new StaticListableBeanFactory().getBeanProvider(PeerLocator.class),
                tracker, mock(io.p2psync.changes.Forks.class), receiver, devices, progress, settings,
                new SyncMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
                new StaticListableBeanFactory(Map.of("clock", Clock.systemUTC())).getBeanProvider(Clock.class),
                new StaticListableBeanFactory().getBeanProvider(io.p2psync.changes.PeerColumnHistory.class));
    }

    @Test
    void aUrlThatCannotBeReachedGivesWayToTheOpenLibp2pConnection() {
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);
        when(client.pull(anyString(), any(), any())).thenThrow(new PeerException("cannot reach", 0, null));
        SyncChannel libp2p = mock(SyncChannel.class);
        when(libp2p.via()).thenReturn("libp2p");
        when(libp2p.pull(any())).thenReturn(new PullResponse(List.of(), VersionVector.EMPTY, false));

        PeerSyncResult result = withLibp2p(libp2p).syncWith(peer);

        assertThat(result.completed()).isTrue();
        assertThat(result.error()).isNull();
        assertThat(result.via()).isEqualTo("libp2p");
        verify(client).pull(anyString(), any(), any());
        verify(libp2p).pull(any());
        verify(progress, never()).recordFailure(any(), any(), any());
    }

    @Test
    void aRoundThatLosesItsPeerAfterTheFirstAnswerIsNotRunAgainOverLibp2p() {
        PrivateKey other = PrivateKey.generate();
        List<ChangeEntry> entries = ThreeNodeSyncIT.chain(other, "o", 4);
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(client.pull(anyString(), any(), any()))
                .thenReturn(new PullResponse(entries.subList(0, 2), VersionVector.EMPTY, true))
                .thenThrow(new PeerException("connection reset", 0, null));
        when(receiver.receive(any(), any())).thenReturn(new PushResponse(2, 0, 0, 0, 0, List.of()));
        SyncChannel libp2p = mock(SyncChannel.class);

        PeerSyncResult result = withLibp2p(libp2p).syncWith(peer);

        assertThat(result.completed()).isFalse();
        assertThat(result.via()).isEqualTo("rest");
        assertThat(result.pulled()).isEqualTo(2);
        assertThat(result.error()).contains("connection reset");
        verify(libp2p, never()).pull(any());
        verify(libp2p, never()).push(any());
    }

    @Test
    void aPeerThatAnsweredWithAnErrorIsNotAskedAgainOverLibp2p() {
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(client.pull(anyString(), any(), any())).thenThrow(new PeerException("HTTP 401 stale-timestamp", 401, null));
        SyncChannel libp2p = mock(SyncChannel.class);

        PeerSyncResult result = withLibp2p(libp2p).syncWith(peer);

        assertThat(result.completed()).isFalse();
        assertThat(result.via()).isEqualTo("rest");
        assertThat(result.error()).contains("401");
        verify(libp2p, never()).pull(any());
    }

    @Test
    void aDeviceWithoutUrlIsReachedOverLibp2pOrFailsSayingThereIsNoWay() {
        Device idOnly = new Device(peerKey.peerId(), "peer", null, DeviceStatus.AUTHORIZED, null, null, null, Instant.now());
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);

        PeerSyncResult none = manager.syncWith(idOnly);
        assertThat(none.completed()).isFalse();
        assertThat(none.via()).isNull();
        assertThat(none.error()).contains("no REST url, and no libp2p connection is open");

        SyncChannel libp2p = mock(SyncChannel.class);
        when(libp2p.via()).thenReturn("libp2p");
        when(libp2p.pull(any())).thenReturn(new PullResponse(List.of(), VersionVector.EMPTY, false));
        PeerSyncResult over = withLibp2p(libp2p).syncWith(idOnly);
        assertThat(over.completed()).isTrue();
        assertThat(over.via()).isEqualTo("libp2p");
        verify(client, never()).pull(any(), any(), any());
    }

    @Test
    void pushesWhatThePeerLacksInPagesAndCountsWhatItAccepted() {
        PrivateKey me = PrivateKey.generate();
        List<ChangeEntry> mine = ThreeNodeSyncIT.chain(me, "mine", 3);
        VersionVector full = VersionVector.of(Map.of(me.peerId().toString(), 3L));
        when(tracker.versionVector()).thenReturn(full);
        when(client.pull(anyString(), any(), any())).thenReturn(new PullResponse(List.of(), VersionVector.EMPTY, false));
        when(tracker.page(eq(full), any(), eq(50), anyLong(), anyLong())).thenAnswer(call -> {
            VersionVector theirs = call.getArgument(1);
            return new LogPage(mine.stream().filter(e -> e.version() > theirs.get(e.origin())).limit(2).toList(), 0,
                    false, List.of());
        });
        when(client.push(anyString(), any(), any())).thenAnswer(call ->
                new PushResponse(((PushRequest) call.getArgument(2)).entries().size(), 0, 0, 0, 0, List.of()));

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.pushed()).isEqualTo(3);
        assertThat(result.error()).isNull();
        verify(tracker, org.mockito.Mockito.times(2)).markSynced(any());
        verify(devices).recordSync(eq(peerKey.peerId()), any());
    }

    @Test
    void stopsAPeerThatKeepsAnsweringEntriesThisDeviceAlreadyHas() {
        PrivateKey other = PrivateKey.generate();
        List<ChangeEntry> old = ThreeNodeSyncIT.chain(other, "old", 1);
        when(tracker.versionVector()).thenReturn(VersionVector.of(Map.of(other.peerId().toString(), 1L)));
        when(client.pull(anyString(), any(), any())).thenReturn(new PullResponse(old, VersionVector.EMPTY, true));

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.error()).contains("nothing this device lacks");
        verify(receiver, never()).receive(any(), any());
    }

    @Test
    void countsAnEntryTooLargeToTravelAsRefusedAndGoesOnWithTheOtherOrigins() {
        PrivateKey big = PrivateKey.generate();
        PrivateKey small = PrivateKey.generate();
        List<ChangeEntry> smalls = ThreeNodeSyncIT.chain(small, "small", 2);
        String bigOrigin = big.peerId().toString();
        VersionVector full = VersionVector.of(Map.of(bigOrigin, 1L, small.peerId().toString(), 2L));
        when(tracker.versionVector()).thenReturn(full);
        when(client.pull(anyString(), any(), any())).thenReturn(new PullResponse(List.of(), VersionVector.EMPTY, false));
        List<VersionVector> asked = new ArrayList<>();
        when(tracker.page(eq(full), any(), anyInt(), anyLong(), eq(512L * 1024))).thenAnswer(call -> {
            VersionVector theirs = call.getArgument(1);
            asked.add(theirs);
            List<LogPage.TooLarge> tooLarge = theirs.get(bigOrigin) < 1
                    ? List.of(new LogPage.TooLarge(bigOrigin, 1, 900_000)) : List.of();
            return new LogPage(smalls.stream().filter(e -> e.version() > theirs.get(e.origin())).limit(1).toList(), 0,
                    false, tooLarge);
        });
        when(client.push(anyString(), any(), any())).thenAnswer(call ->
                new PushResponse(((PushRequest) call.getArgument(2)).entries().size(), 0, 0, 0, 0, List.of()));

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.pushed()).as("the other origin goes on").isEqualTo(2);
        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.refusals()).containsExactly(Map.entry(RejectionReason.TOO_LARGE, 1));
        assertThat(result.completed()).isTrue();
        assertThat(asked.get(asked.size() - 1).get(bigOrigin)).as("not asked for again in this round")
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void countsAnEntryThePeerKeepsBackAsTooLarge() {
        PrivateKey big = PrivateKey.generate();
        String bigOrigin = big.peerId().toString();
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);
        when(client.pull(anyString(), any(), any())).thenReturn(new PullResponse(List.of(),
                VersionVector.of(Map.of(bigOrigin, 3L)), false, List.of(new LogPage.TooLarge(bigOrigin, 1, 900_000))));

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.refusals()).containsExactly(Map.entry(RejectionReason.TOO_LARGE, 1));
        assertThat(result.error()).contains("1 entries refused");
    }

    @Test
    void asksForTheFirstPageOnTheRoundsOwnThreadAndTheNextOnesAhead() {
        PrivateKey origin = PrivateKey.generate();
        List<ChangeEntry> entries = ThreeNodeSyncIT.chain(origin, "o", 3);
        when(tracker.versionVector()).thenReturn(VersionVector.EMPTY);
        when(tracker.page(any(), any(), anyInt(), anyLong(), anyLong())).thenReturn(EMPTY_PAGE);
        List<Thread> askedOn = java.util.Collections.synchronizedList(new ArrayList<>());
        when(client.pull(anyString(), eq(peerKey.peerId()), any())).thenAnswer(call -> {
            askedOn.add(Thread.currentThread());
            VersionVector v = ((PullRequest) call.getArgument(2)).vector();
            List<ChangeEntry> page = entries.stream().filter(e -> e.version() > v.get(e.origin())).limit(1).toList();
            boolean more = entries.stream().filter(e -> e.version() > v.get(e.origin())).count() > 1;
            return new PullResponse(page, VersionVector.of(Map.of(origin.peerId().toString(), 3L)), more);
        });
        when(receiver.receive(any(), eq(peerKey.peerId()))).thenAnswer(call -> {
            List<ChangeEntry> page = call.getArgument(0);
            return new PushResponse(page.size(), 0, 0, 0, 0, List.of());
        });

        PeerSyncResult result = manager.syncWith(peer);

        assertThat(result.pulled()).isEqualTo(3);
        assertThat(result.error()).isNull();
        assertThat(askedOn).hasSize(3);
        assertThat(askedOn.get(0)).as("the first page, with nothing to overlap").isSameAs(Thread.currentThread());
        assertThat(askedOn.subList(1, 3)).as("later pages are asked for while the one before is applied")
                .allSatisfy(t -> assertThat(t).isNotSameAs(Thread.currentThread()));
    }

    private static List<ChangeEntry> concat(List<ChangeEntry> a, List<ChangeEntry> b) {
        List<ChangeEntry> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
