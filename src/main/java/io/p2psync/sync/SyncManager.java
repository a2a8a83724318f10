package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.PeerColumnHistory;
import io.p2psync.changes.Forks;
import io.p2psync.changes.EntryRef;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.VersionVector;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

/**
 * Runs sync rounds: with one peer, pull every page it has that this device lacks, then push every entry
 * the peer lacks according to the vector it answered. An origin whose entry is refused (it does not verify)
 * is left out of the rest of the round (it would be refused again), so one bad entry never stalls the other
 * origins. A held entry (stored, not applied yet) counts as delivered and stops nothing. Pushes are bounded
 * by count and by {@link SyncSettings#pageBytes()}; an entry larger than {@link SyncSettings#maxEntrySize()},
 * kept back by this device when pushing or named by the peer's pull answer, is counted as refused
 * ({@link RejectionReason#TOO_LARGE}) and logged, and its origin is left out of the rest of the round.
 */
@Service
public class SyncManager implements DisposableBean {

    /** Bytes of a push body around its entries: format, field names, brackets. */
    private static final long PUSH_FRAME = 64;

    private static final Logger log = LoggerFactory.getLogger(SyncManager.class);

    private final PeerClient client;
    private final ObjectProvider<Libp2pRoutes> libp2p;
    private final ObjectProvider<PeerLocator> locator;
    private final ChangeTracker tracker;
    private final Forks forks;
    private final ObjectProvider<PeerColumnHistory> columnHistory;
    private final EntryReceiver receiver;
    private final DeviceRepository devices;
    private final PeerProgress progress;
    private final SyncSettings settings;
    private final SyncMetrics metrics;
    private final Clock clock;
    /** Runs the request for the next pull page while the current one is applied; daemon threads. */
    private final ExecutorService prefetcher = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sync-prefetch");
        t.setDaemon(true);
        return t;
    });

    SyncManager(PeerClient client, ObjectProvider<Libp2pRoutes> libp2p, ObjectProvider<PeerLocator> locator,
                ChangeTracker tracker, Forks forks, EntryReceiver receiver, DeviceRepository devices,
                PeerProgress progress, SyncSettings settings, SyncMetrics metrics, ObjectProvider<Clock> clock,
                ObjectProvider<PeerColumnHistory> columnHistory) {
        this.columnHistory = columnHistory;
        this.client = client;
        this.libp2p = libp2p;
        this.locator = locator;
        this.tracker = tracker;
        this.forks = forks;
        this.receiver = receiver;
        this.devices = devices;
        this.progress = progress;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @Override
    public void destroy() {
        prefetcher.shutdownNow();
    }

    /**
     * One pull-then-push round with {@code peer}. Never throws for a peer's failure: the result carries
     * the error, and {@code sync_peer_progress} records it.
     *
     * @param peer an authorized device with a url, or connected over libp2p
     */
    public PeerSyncResult syncWith(Device peer) {
        return syncWith(peer, RoundObserver.NONE);
    }

    /**
     * One pull-then-push round with {@code peer}, telling {@code observer} how it goes. The peer is reached at
     * its REST url if it has one, else over the open libp2p connection to it; a url that cannot be reached at
     * all (nothing answered the first request) gives way to the libp2p connection, if one is open. Never throws
     * for a peer's failure: the result carries the error, and {@code sync_peer_progress} records it.
     *
     * @param peer an authorized device with a url, or connected over libp2p
     */
    public PeerSyncResult syncWith(Device peer, RoundObserver observer) {
        long start = System.nanoTime();
        List<Supplier<Optional<SyncChannel>>> routes = routes(peer);
        Round round = null;
        String error = null;
        java.time.Duration retryAfter = null;
        boolean completed = false;
        for (int i = 0; i < routes.size() && !completed; i++) {
            Optional<SyncChannel> channel = routes.get(i).get();
            if (channel.isEmpty()) {
                continue;
            }
            round = new Round(peer, channel.get(), observer);
            error = null;
            retryAfter = null;
            try {
                round.pull();
                round.push();
                progress.recordSuccess(peer.deviceId().toString(), round.theirs, clock.instant());
                devices.recordSync(peer.deviceId(), clock.instant());
                completed = true;
            } catch (PeerException | DataAccessException e) {
                error = e.getMessage();
                java.util.Optional<String> notHereNow = TryAgain.why(e);
                if (e instanceof PeerBusyException busy) {
                    retryAfter = busy.retryAfter();
                } else if (notHereNow.isPresent()) {
                    // this device could not apply for now (its database busy, a table not ready), not the peer
                    retryAfter = TryAgain.RETRY_AFTER;
                    error = "not applied here for now, trying again: " + notHereNow.get();
                }
                boolean unreachable = e instanceof PeerException p && p.status() == 0 && !round.answered()
                        && !Thread.currentThread().isInterrupted(); // out of time: no other way is tried
                if (!unreachable) {
                    break;
                }
                log.debug("{} cannot be reached over {} ({}); trying the next way", peer.deviceId(), round.via(), error);
            }
        }
        if (round == null) {
            error = "no way to reach it: no REST url, and no libp2p connection is open"
                    + (locator.getIfAvailable() == null ? "" : ", and the registry knows no address of it");
        }
        if (!completed && retryAfter == null) {
            // a round put off for now is not stored as a failure: it needs no write (the database may be the busy
            // part), and a restart should not show a peer that answered as failing
            progress.recordFailure(peer.deviceId().toString(), error, clock.instant());
        }
        if (round == null) {
            round = new Round(peer, null, observer);
        }
        if (error == null && round.rejected > 0) {
            error = round.rejected + " entries refused";
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        PeerSyncResult result = new PeerSyncResult(peer.deviceId().toString(), round.pulled, round.pushed,
                round.conflicts, round.rejected, round.held, round.refusals, completed, error, millis, round.via(),
                completed ? null : retryAfter);
        log.info("Sync with {} over {}: pulled {}, pushed {}, conflicts {}, held {}, rejected {} in {} ms{}",
                peer.deviceId(), round.via() == null ? "nothing" : round.via(), round.pulled, round.pushed,
                round.conflicts, round.held, round.rejected, millis, error == null ? "" : " (" + error + ")");
        return result;
    }

    /**
     * The ways to reach {@code peer}, in the order they are tried: its REST url, then libp2p, then, when a
     * {@link PeerLocator} is configured, where the peer last said it was (asked only when the ways before could not
     * reach it): a libp2p connection dialled at the addresses it announced. Never the REST url it announced: a REST
     * answer does not prove who gave it, and a round pushes whatever the answer says the peer lacks, so a registry
     * (or whoever sits between it and this node) could otherwise name a server that collects this device's log.
     */
    private List<Supplier<Optional<SyncChannel>>> routes(Device peer) {
        List<Supplier<Optional<SyncChannel>>> routes = new ArrayList<>(4);
        if (peer.url() != null) {
            routes.add(() -> Optional.of(client.channel(peer.url(), peer.deviceId())));
        }
        routes.add(() -> Optional.ofNullable(libp2p.getIfAvailable()).flatMap(l -> l.channelTo(peer.deviceId())));
        PeerLocator locator = this.locator.getIfAvailable();
        if (locator != null) {
            // only libp2p, whose connection proves the peer id: a REST url from the registry would be answered by
            // whoever listens there, and a round pushes what the answer says the peer lacks
            routes.add(() -> {
                Libp2pRoutes live = libp2p.getIfAvailable();
                Optional<PeerLocator.Location> at = live == null ? Optional.empty() : locator.locate(peer.deviceId());
                if (at.isEmpty() || at.get().multiaddrs().isEmpty()) {
                    return Optional.empty();
                }
                log.info("{} announced {} to the registry; dialling it", peer.deviceId(), at.get().multiaddrs());
                return live.dial(peer.deviceId(), at.get().multiaddrs());
            });
        }
        return routes;
    }

    /** Entries {@code mine} holds that {@code theirs} lacks: versions have no gaps, so a difference is a count. */
    private static long lacking(VersionVector mine, VersionVector theirs) {
        long lacking = 0;
        for (Map.Entry<String, Long> origin : mine.asMap().entrySet()) {
            lacking += Math.max(0, origin.getValue() - theirs.get(origin.getKey()));
        }
        return lacking;
    }

    /** The state of one round with one peer. */
    private final class Round {
        private final Device peer;
        private final SyncChannel channel;
        private final RoundObserver observer;
        private final String peerId;
        private final Set<String> blocked = new HashSet<>();
        /** Origins whose next entry is too large to travel: skipped for the rest of the round. */
        private final Set<String> withheld = new HashSet<>();
        private final Map<RejectionReason, Integer> refusals = new EnumMap<>(RejectionReason.class);
        private boolean planned;
        private VersionVector theirs = VersionVector.EMPTY;
        private int pulled;
        private int pushed;
        private int conflicts;
        private int rejected;
        private int held;

        Round(Device peer, SyncChannel channel, RoundObserver observer) {
            this.peer = peer;
            this.channel = channel;
            this.observer = observer;
            this.peerId = peer.deviceId().toString();
        }

        /** How the peer is reached in this round, or null if it is not. */
        String via() {
            return channel == null ? null : channel.via();
        }

        /** Whether the peer answered anything in this round. */
        boolean answered() {
            return planned;
        }

        /**
         * Pulls page after page. The first page is asked for on this thread; while one page is applied here, the
         * next is already being asked for (with the vector this page will give once applied), so the peer's
         * work and the transfer overlap with the local apply. If the page had refusals, that request is dropped and asked again without the
         * refused origins.
         */
        void pull() {
            VersionVector mine = tracker.versionVector();
            // The first page on this thread: nothing would overlap with it, and a hand-off to the prefetcher and
            // back was two thread wake-ups in every round, most of all in the round that finds nothing to do.
            CompletableFuture<PullResponse> next = CompletableFuture.completedFuture(
                    channel.pull(request(mine)));
            while (next != null) {
                PullResponse page;
                try {
                    page = await(next);
                } catch (PeerException stopped) {
                    next.cancel(true);
                    throw stopped;
                }
                theirs = page.serverVector();
                tooLarge(page.tooLarge(), false);
                if (!planned) {
                    planned = true;
                    // the answer carries the peer's chain heads: a fork shows where the two logs agree on a
                    // version and not on its entry
                    forks.candidates(theirs.asMap(), page.serverHeads(), peerId).forEach(this::proveFork);
                    forks.heldApart(theirs.asMap(), page.serverHeads()).forEach(this::forked);
                    // before its entries are placed: a column they name by a former name is the renamed one here
                    columnHistory.ifAvailable(h -> h.adopt(page.formerColumns(), peerId));
                    observer.planned(theirs, lacking(theirs, mine), lacking(tracker.versionVector(), theirs));
                }
                boolean last = !page.more() || page.entries().isEmpty();
                VersionVector after = advance(mine, page.entries());
                if (!page.entries().isEmpty() && after.equals(mine)) {
                    // Nothing above what this device holds: asking again would get the same page forever.
                    throw new PeerException("the peer answered a page with nothing this device lacks", 200, null);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw stoppedOnTime(); // before asking for another page
                }
                next = last ? null : fetch(after);
                if (!page.entries().isEmpty()) {
                    PushResponse outcome = receiver.receive(page.entries(), peer.deviceId());
                    pulled += outcome.accepted();
                    conflicts += outcome.conflicts();
                    held += outcome.held();
                    rejected += outcome.rejected();
                    metrics.pulled(peerId, outcome.accepted());
                    outcome.rejections().forEach(r -> refusals.merge(r.reason(), 1, Integer::sum));
                    observer.pulled(page.entries().size());
                    if (!outcome.rejections().isEmpty()) {
                        outcome.rejections().forEach(r -> blocked.add(r.origin()));
                        after = advance(mine, page.entries());
                        if (next != null) {
                            next.cancel(false);
                            next = fetch(after);
                        }
                    }
                }
                mine = after;
            }
        }

        /**
         * Asks the peer for the entry its head names (a pull that skips every other origin the peer named and
         * holds this one one below) and records the fork if that entry proves it; the origin is then skipped for
         * the round. A proof that does not come (the peer failed, or answered another origin new to it) is
         * asked for again next round.
         */
        private void proveFork(Forks.Fork candidate) {
            Map<String, Long> only = new java.util.HashMap<>();
            theirs.asMap().keySet().forEach(origin -> only.put(origin, Long.MAX_VALUE));
            only.put(candidate.origin(), candidate.version() - 1);
            PullResponse proof;
            try {
                proof = channel.pull(new PullRequest(VersionVector.of(only), 1));
            } catch (PeerException failed) {
                log.info("could not ask {} for its entry {}#{} to check a fork: {}", peerId, candidate.origin(),
                        candidate.version(), failed.getMessage());
                return;
            }
            proof.entries().stream()
                    .filter(e -> e.origin().equals(candidate.origin()) && e.version() == candidate.version())
                    .findFirst()
                    .filter(e -> forks.prove(candidate, e))
                    .ifPresent(e -> forked(e.origin()));
        }

        /**
         * The peer holds another branch of a forked origin than this device: the origin is skipped for the round,
         * and the round counts its head as refused ({@link RejectionReason#FORKED_ORIGIN}), once, so that it does
         * not look clean while the two devices' rows stay apart.
         */
        private void forked(String origin) {
            if (blocked.add(origin)) {
                rejected++;
                refusals.merge(RejectionReason.FORKED_ORIGIN, 1, Integer::sum);
            }
        }

        private CompletableFuture<PullResponse> fetch(VersionVector mine) {
            PullRequest request = request(mine);
            return CompletableFuture.supplyAsync(() -> channel.pull(request), prefetcher);
        }

        private PullRequest request(VersionVector mine) {
            return new PullRequest(skippingBlocked(mine), settings.pullPageSize());
        }

        /** The page, waited for as long as this thread is not interrupted (its time limit, or the node stopping). */
        private PullResponse await(CompletableFuture<PullResponse> page) {
            try {
                return page.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stoppedOnTime();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw new CompletionException(e.getCause());
            }
        }

        void push() {
            tracker.sealBacklog(); // so writes made a moment ago by other programs go out in this round
            VersionVector mine = tracker.versionVector();
            long budget = Math.max(1, settings.pageBytes().toBytes() - PUSH_FRAME);
            int limit = Math.min(settings.pushPageSize(), ChangeTracker.MAX_PAGE);
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw stoppedOnTime();
                }
                LogPage next = tracker.page(mine, skippingBlocked(theirs), limit, budget,
                        settings.maxEntrySize().toBytes());
                boolean skipped = tooLarge(next.tooLarge(), true);
                List<ChangeEntry> page = next.entries();
                if (page.isEmpty()) {
                    if (!skipped) {
                        return;
                    }
                    continue; // their origins are skipped now; others may still have entries to send
                }
                PushResponse outcome = channel.push(new PushRequest(page));
                pushed += outcome.accepted();
                conflicts += outcome.conflicts();
                held += outcome.held();
                rejected += outcome.rejected();
                metrics.pushed(peerId, outcome.accepted());
                for (PushResponse.Rejection r : outcome.rejections()) {
                    RejectionReason reason = r.reason();
                    refusals.merge(reason, 1, Integer::sum);
                    metrics.refusedByPeer(reason);
                    blocked.add(r.origin());
                }
                theirs = advance(theirs, page);
                markDelivered(page, outcome);
                observer.pushed(page.size(), theirs);
            }
        }

        /**
         * Why a round whose thread was interrupted stops between pages: its time limit ran out (the scheduler has
         * already counted it as failed and may start the next attempt) or the node is stopping. What was applied
         * stays; the next round goes on from the version vector.
         */
        private PeerException stoppedOnTime() {
            return new PeerException("stopped: the round ran out of time or the node is stopping", 0, null);
        }

        /** Marks the pushed entries the peer now holds as synced ({@code sync_log.is_synced}). */
        private void markDelivered(List<ChangeEntry> page, PushResponse outcome) {
            Set<EntryRef> refused = new HashSet<>();
            outcome.rejections().forEach(r -> refused.add(new EntryRef(r.origin(), r.version())));
            List<EntryRef> delivered = new ArrayList<>(page.size());
            for (ChangeEntry e : page) {
                EntryRef ref = EntryRef.of(e);
                if (!refused.contains(ref)) {
                    delivered.add(ref);
                }
            }
            tracker.markSynced(delivered);
        }

        /** {@code vector} raised by the entries of {@code page} whose origin was not refused. */
        private VersionVector advance(VersionVector vector, List<ChangeEntry> page) {
            for (ChangeEntry e : page) {
                if (!blocked.contains(e.origin())) {
                    vector = vector.with(e.origin(), e.version());
                }
            }
            return vector;
        }

        /**
         * Origins refused in this round, or stopped by an entry too large to travel, are marked as fully known,
         * so they are neither asked for nor sent.
         */
        private VersionVector skippingBlocked(VersionVector vector) {
            for (String origin : blocked) {
                vector = vector.with(origin, Long.MAX_VALUE);
            }
            for (String origin : withheld) {
                vector = vector.with(origin, Long.MAX_VALUE);
            }
            return vector;
        }

        /**
         * Counts each entry too large to travel as refused ({@link RejectionReason#TOO_LARGE}), once per round,
         * says so in the log, and leaves its origin out of the rest of the round: its later entries chain to
         * it and cannot go before it.
         *
         * @return whether an origin was newly left out
         */
        private boolean tooLarge(List<LogPage.TooLarge> entries, boolean keptHere) {
            boolean added = false;
            for (LogPage.TooLarge t : entries) {
                if (withheld.add(t.origin())) {
                    added = true;
                    rejected++;
                    refusals.merge(RejectionReason.TOO_LARGE, 1, Integer::sum);
                    if (keptHere) {
                        metrics.refusedHere(RejectionReason.TOO_LARGE);
                    } else {
                        metrics.refusedByPeer(RejectionReason.TOO_LARGE);
                    }
                    log.warn("Sync with {}: {} entry {}#{} of {} bytes, larger than the maximum entry size "
                                    + "(p2psync.sync.max-entry-size, {} bytes here); later entries of {} wait behind it "
                                    + "until every device allows entries that large", peerId,
                            keptHere ? "this device keeps back" : "the peer keeps back", t.origin(),
                            t.version(), t.size(), settings.maxEntrySize().toBytes(), t.origin());
                }
            }
            return added;
        }
    }
}
