package io.p2psync.peers;

import io.p2psync.changes.EntriesHandled;
import io.p2psync.changes.VersionVector;
import io.p2psync.sync.RoundObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The rounds running now, one per peer at most, with how far each has come. A round learns its size from the
 * peer's first answer; pulled entries are counted as each committed part of a page lands here (so a large page
 * shows progress before it is all applied), pushed entries as the peer answers each push page. Thread-safe.
 */
@Component
public class RunningRounds {

    private final Clock clock;
    private final Map<String, Round> rounds = new ConcurrentHashMap<>();

    @Autowired
    RunningRounds(ObjectProvider<Clock> clock) {
        this(clock.getIfAvailable(Clock::systemUTC));
    }

    RunningRounds(Clock clock) {
        this.clock = clock;
    }

    /** Marks a round with the peer as started; the answer observes it. */
    RoundObserver begin(Peer peer, PeerRunner.Trigger trigger) {
        Round round = new Round(trigger, clock.instant(), System.nanoTime());
        rounds.put(peer.key(), round);
        return round;
    }

    void end(Peer peer) {
        rounds.remove(peer.key());
    }

    /** The running round's progress, if one runs. */
    public Optional<RoundProgress> progress(String peerKey) {
        return Optional.ofNullable(rounds.get(peerKey)).map(Round::progress);
    }

    /** What the peer holds as the running round knows it (raised by every push page), if a round runs. */
    Optional<VersionVector> theirs(String peerKey) {
        return Optional.ofNullable(rounds.get(peerKey)).map(Round::theirs);
    }

    /**
     * Counts the parts of a pulled page as they are committed (published per part by the applier), whatever
     * became of their entries: a large group waiting for its end outside the log shows progress too.
     */
    @TransactionalEventListener(fallbackExecution = true)
    void onHandled(EntriesHandled handled) {
        Round round = rounds.get(handled.receivedFrom());
        if (round != null) {
            round.landed(handled.count());
        }
    }

    /** One running round; its observer. */
    private static final class Round implements RoundObserver {
        private final PeerRunner.Trigger trigger;
        private final Instant startedAt;
        private final long startNanos;
        private Long total;
        private long pulledPages;
        private long landedOfPage;
        private long pushed;
        private VersionVector theirs;

        Round(PeerRunner.Trigger trigger, Instant startedAt, long startNanos) {
            this.trigger = trigger;
            this.startedAt = startedAt;
            this.startNanos = startNanos;
        }

        @Override
        public synchronized void planned(VersionVector theirs, long toPull, long toPush) {
            this.theirs = theirs;
            this.total = toPull + toPush;
        }

        @Override
        public synchronized void pulled(int entries) {
            pulledPages += entries;
            landedOfPage = 0; // the page's parts are in pulledPages now
        }

        @Override
        public synchronized void pushed(int entries, VersionVector theirs) {
            pushed += entries;
            this.theirs = theirs;
        }

        synchronized void landed(int entries) {
            landedOfPage += entries;
        }

        synchronized VersionVector theirs() {
            return theirs;
        }

        synchronized RoundProgress progress() {
            long done = pulledPages + landedOfPage + pushed;
            if (total != null && done > total) {
                // The peer got more meanwhile (a round handles what arrives while it runs too).
                total = done;
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double rate = seconds > 0 ? done / seconds : 0;
            Long left = total == null ? null : done >= total ? Long.valueOf(0)
                    : rate <= 0 ? null : Long.valueOf((long) Math.ceil((total - done) / rate));
            return new RoundProgress(trigger, startedAt, done, total, Math.round(rate * 10) / 10.0, left);
        }
    }
}
