package io.p2psync.peers;

import io.p2psync.changes.Forks;
import io.p2psync.sync.RejectionReason;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code sync} part of {@code /actuator/health}, the first that applies:
 * <ol>
 *   <li>DOWN when this device has paired peers and sync with every one of them has failed for longer than
 *       {@code p2psync.health.failing-threshold} (each one's latest round failed, or its breaker stays open, since
 *       at least that long): nothing travels at all, the widest fault;</li>
 *   <li>OUT_OF_SERVICE while a fork is recorded ({@code sync_forks}): the forked origin's entries are refused
 *       until a person clears the fork (revoking the origin does not end it), so rows stay apart for good however
 *       many rounds run, and the reason says where to look ({@code GET /sync/forks});</li>
 *   <li>OUT_OF_SERVICE when a paired peer's completed rounds have kept refusing entries, with no round between
 *       that refused nothing, for longer than {@code p2psync.health.refused-threshold} (an entry too large to
 *       travel, a bad signature): the origin's later changes wait behind the refused entry, and retrying does not
 *       help. Ahead of held entries, which are at least stored here and apply once their cause goes;</li>
 *   <li>OUT_OF_SERVICE when an entry has been held here for longer than {@code p2psync.health.held-threshold};</li>
 *   <li>UP otherwise, also with no paired peer at all (nothing to sync is not a fault).</li>
 * </ol>
 * The details (shown to loopback and admin callers only) say why, with counts, whichever rule decided.
 */
@Component("sync")
class SyncHealthIndicator implements HealthIndicator {

    private final PeerDirectory directory;
    private final PeerHealth health;
    private final HeldCounts held;
    private final Forks forks;
    private final HealthSettings settings;
    private final Clock clock;

    SyncHealthIndicator(PeerDirectory directory, PeerHealth health, ObjectProvider<HeldCounts> held, Forks forks,
                        HealthSettings settings, ObjectProvider<Clock> clock) {
        this.directory = directory;
        this.health = health;
        this.held = held.getIfAvailable(() -> HeldCounts.NONE);
        this.forks = forks;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @Override
    public Health health() {
        List<PeerHealth.Record> peers = directory.syncTargets().stream().map(p -> health.record(p.key())).toList();
        return judge(peers, forks.count(), held.count(), held.oldestHeldSince(), clock.instant(), settings);
    }

    /**
     * The rule, apart from where its inputs come from.
     *
     * @param forkedOrigins origins with a fork recorded and not cleared
     */
    static Health judge(List<PeerHealth.Record> peers, long forkedOrigins, long heldCount, Optional<Instant> heldSince,
                        Instant now, HealthSettings settings) {
        long failing = peers.stream().filter(r -> r.failedRounds() > 0).count();
        long failingLong = peers.stream().filter(r -> r.failedRounds() > 0 && r.failingSince() != null
                && !r.failingSince().plus(settings.failingThreshold()).isAfter(now)).count();
        long refusing = peers.stream().filter(r -> r.refusingSince() != null).count();
        List<PeerHealth.Record> refusingLong = peers.stream().filter(r -> r.refusingSince() != null
                && !r.refusingSince().plus(settings.refusedThreshold()).isAfter(now)).toList();
        Health.Builder builder;
        if (!peers.isEmpty() && failingLong == peers.size()) {
            Instant since = peers.stream().map(PeerHealth.Record::failingSince).max(Instant::compareTo).orElseThrow();
            builder = Health.down().withDetail("reason", "sync with every paired peer (" + peers.size()
                    + ") has failed for more than " + settings.failingThreshold() + ", since " + since);
        } else if (forkedOrigins > 0) {
            builder = Health.outOfService().withDetail("reason", forkedOrigins + " forked origin"
                    + (forkedOrigins == 1 ? "" : "s") + " (signed two different entries with one version): their"
                    + " entries are refused and the devices' rows of them stay apart until a person clears the fork;"
                    + " see GET /sync/forks");
        } else if (!refusingLong.isEmpty()) {
            Instant since = refusingLong.stream().map(PeerHealth.Record::refusingSince).min(Instant::compareTo)
                    .orElseThrow();
            builder = Health.outOfService().withDetail("reason", "entries were refused in every completed round with "
                    + refusingLong.size() + " paired peer" + (refusingLong.size() == 1 ? "" : "s") + " for more than "
                    + settings.refusedThreshold() + " (the longest since " + since + "), so later entries of their"
                    + " origins wait behind them; refused in the latest rounds: " + byReason(refusingLong));
        } else if (heldSince.isPresent()
                && !heldSince.get().plus(settings.heldThreshold()).isAfter(now)) {
            builder = Health.outOfService().withDetail("reason", heldCount + " entries are held here, the oldest for "
                    + "more than " + settings.heldThreshold() + " (since " + heldSince.get() + ")");
        } else {
            builder = Health.up();
        }
        return builder.withDetail("pairedPeers", peers.size())
                .withDetail("failingPeers", failing)
                .withDetail("refusingPeers", refusing)
                .withDetail("forkedOrigins", forkedOrigins)
                .withDetail("heldEntries", heldCount)
                .withDetail("failingThreshold", settings.failingThreshold().toString())
                .build();
    }

    /** The peers' latest refusals added up by reason, as the reasons' wire codes: {@code too-large 2, gap 1}. */
    private static String byReason(List<PeerHealth.Record> peers) {
        Map<RejectionReason, Integer> total = new EnumMap<>(RejectionReason.class);
        peers.forEach(r -> r.refusals().forEach((reason, n) -> total.merge(reason, n, Integer::sum)));
        if (total.isEmpty()) {
            return peers.stream().mapToInt(PeerHealth.Record::refused).sum() + " (reasons not known)";
        }
        return total.entrySet().stream().map(e -> e.getKey().code() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
