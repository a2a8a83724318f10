package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.kv.KvService;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.RejectionReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a gossiped entry that was refused on delivery leads to: a REST catch-up with the sender, or none. */
class GossipDeliveryTest {

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final EntryReceiver receiver = mock(EntryReceiver.class);
    private final List<PeerId> caughtUpWith = new ArrayList<>();
    private final GossipDelivery delivery = new GossipDelivery(worker, receiver, mock(KvService.class),
            new ChainHeads(origin -> ChainHeads.Head.NONE), new GossipArrivals(),
            new LiveMetrics(new SimpleMeterRegistry()), caughtUpWith::add);
    private final PeerId sender = PrivateKey.generate().peerId();
    private final ChangeEntry entry = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 1, 1L << 40,
            System.currentTimeMillis(), new RowChange("sync_kv", "[\"k\"]", Operation.INSERT, Kind.EDIT,
                    "{\"key\":\"k\",\"value\":\"v\"}", null), VersionVector.EMPTY, null);

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    /** Keeps the worker busy until the latch it answers is counted down, so that what is delivered meanwhile waits. */
    private java.util.concurrent.CountDownLatch keepWorkerBusy() {
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        worker.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        });
        return busy;
    }

    /** Waits until the worker has applied what was delivered so far (it runs one task at a time, in order). */
    private void settle() throws Exception {
        worker.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    private void deliverRefused(RejectionReason reason) throws Exception {
        when(receiver.receive(any(), any())).thenReturn(new PushResponse(0, 0, 0, 0, 1,
                List.of(new PushResponse.Rejection(entry.origin(), 1, reason, "refused"))));
        delivery.deliver(null, new GossipIntake.Accepted(null, sender, new GossipPayload.Entry(entry)));
        settle();
    }

    /**
     * An origin refused whoever sends its entries (revoked here, proven forked, or one origin too many) is not
     * caught up with: the pull would bring a page of it only to refuse it again, once per entry gossiped.
     */
    @ParameterizedTest
    @EnumSource(value = RejectionReason.class, names = {"REVOKED_ORIGIN", "FORKED_ORIGIN", "ORIGIN_LIMIT"})
    void anOriginRefusedWhoeverSendsItIsNotCaughtUpWith(RejectionReason reason) throws Exception {
        deliverRefused(reason);

        assertThat(caughtUpWith).isEmpty();
    }

    /** An entry refused for itself (a broken chain here, say) is asked for again over REST, from the sender. */
    @Test
    void anEntryRefusedForItselfIsCaughtUpOverRest() throws Exception {
        deliverRefused(RejectionReason.BROKEN_CHAIN);

        assertThat(caughtUpWith).containsExactly(sender);
    }

    /** Entries of {@code device}, versions 1 to {@code n}, each chained to the one before. */
    private static List<ChangeEntry> chain(DeviceIdentity device, int n) {
        List<ChangeEntry> entries = new ArrayList<>();
        for (int v = 1; v <= n; v++) {
            entries.add(ChangeEntry.seal(device, v, (1L << 40) + v, System.currentTimeMillis(),
                    new RowChange("sync_kv", "[\"k" + v + "\"]", Operation.INSERT, Kind.EDIT,
                            "{\"key\":\"k" + v + "\",\"value\":\"v\"}", null),
                    VersionVector.EMPTY, v == 1 ? null : entries.get(v - 2).hash()));
        }
        return entries;
    }

    private void deliver(PeerId from, ChangeEntry e) {
        delivery.deliver(null, new GossipIntake.Accepted(null, from, new GossipPayload.Entry(e)));
    }

    /**
     * Entries that wait while the worker is busy (a burst of writes on another device) go to the receiver
     * together, one delivery per run of one sender's messages, each origin's entries in version order even when
     * they were handed over out of it (an entry brings its origin's earlier ones along, and is never moved behind
     * another origin's entry that came before it); a sender's entries are never delivered as another's.
     */
    @Test
    void entriesThatWaitTogetherAreDeliveredTogetherInVersionOrderPerSender() throws Exception {
        List<List<ChangeEntry>> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<PeerId> senders = new java.util.concurrent.CopyOnWriteArrayList<>();
        when(receiver.receive(any(), any())).thenAnswer(call -> {
            List<ChangeEntry> entries = call.getArgument(0);
            delivered.add(List.copyOf(entries));
            senders.add(call.getArgument(1));
            return new PushResponse(entries.size(), 0, 0, 0, 0, List.of());
        });
        List<ChangeEntry> alice = chain(new DeviceIdentity(PrivateKey.generate()), 4);
        List<ChangeEntry> bob = chain(new DeviceIdentity(PrivateKey.generate()), 2);
        PeerId other = PrivateKey.generate().peerId();
        java.util.concurrent.CountDownLatch busy = keepWorkerBusy();

        deliver(sender, alice.get(1));
        deliver(sender, bob.get(0));
        deliver(sender, alice.get(0));
        deliver(sender, bob.get(1));
        deliver(sender, alice.get(2));
        deliver(other, alice.get(3));
        busy.countDown();
        settle();

        assertThat(delivered).as("arrival order, each entry after its origin's earlier ones").containsExactly(
                List.of(alice.get(0), alice.get(1), bob.get(0), bob.get(1), alice.get(2)),
                List.of(alice.get(3)));
        assertThat(senders).containsExactly(sender, other);
        assertThat(caughtUpWith).isEmpty();
    }

    /** A delivery of many entries with one refused for itself asks for one catch-up, not one per entry. */
    @Test
    void aRefusalInADeliveryOfManyAsksForOneCatchUp() throws Exception {
        List<ChangeEntry> alice = chain(new DeviceIdentity(PrivateKey.generate()), 3);
        when(receiver.receive(any(), any())).thenReturn(new PushResponse(1, 0, 0, 0, 2, List.of(
                new PushResponse.Rejection(alice.get(1).origin(), 2, RejectionReason.BROKEN_CHAIN, "refused"),
                new PushResponse.Rejection(alice.get(2).origin(), 3, RejectionReason.EARLIER_REJECTED, "refused"))));
        java.util.concurrent.CountDownLatch busy = keepWorkerBusy();
        alice.forEach(e -> deliver(sender, e));
        busy.countDown();
        settle();

        assertThat(caughtUpWith).containsExactly(sender);
    }

    /** Once the node stops, what still waits is left to the catch-up after its next start, not applied meanwhile. */
    @Test
    void nothingMoreIsAppliedOnceTheNodeStops() throws Exception {
        List<ChangeEntry> alice = chain(new DeviceIdentity(PrivateKey.generate()), 3);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        when(receiver.receive(any(), any())).thenAnswer(call -> {
            calls.incrementAndGet();
            inside.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException stop) {
                    interrupted = true; // the shutdown's interrupt, kept for the worker to see
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return new PushResponse(1, 0, 0, 0, 0, List.of());
        });

        deliver(sender, alice.get(0));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        deliver(sender, alice.get(1));
        deliver(sender, alice.get(2));
        worker.shutdownNow();
        release.countDown();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(calls).hasValue(1);
    }
}
