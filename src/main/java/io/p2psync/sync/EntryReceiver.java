package io.p2psync.sync;

import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Forks;
import io.p2psync.changes.RejectReason;
import io.p2psync.changes.RemoteChangeApplier;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceSettings;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Takes entries that an authorized device delivered (pushed to this one, or pulled from it) and applies
 * them through the change log's applier, one batch in one transaction. Before that it refuses every entry
 * whose origin is revoked or forked here ({@link RefusedOriginsHere}, {@link Forks}), and every entry of a new
 * origin past the most one device may introduce ({@code p2psync.devices.max-introduced}); after it, it lists
 * each origin it had never heard of as introduced by the delivering device. Entries are self-certifying, so no other trust is needed in the origin.
 */
@Component
public class EntryReceiver {

    private static final Logger log = LoggerFactory.getLogger(EntryReceiver.class);

    private final RemoteChangeApplier applier;
    private final DeviceRepository devices;
    private final RefusedOriginsHere refused;
    private final PeerId self;
    private final Clock clock;
    private final SyncMetrics metrics;
    private final int maxIntroduced;

    EntryReceiver(RemoteChangeApplier applier, DeviceRepository devices, RefusedOriginsHere refused,
                  DeviceSettings settings,
                  DeviceIdentity identity, ObjectProvider<Clock> clock, SyncMetrics metrics) {
        this.applier = applier;
        this.devices = devices;
        this.refused = refused;
        this.maxIntroduced = settings.maxIntroduced();
        this.self = identity.deviceId();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        this.metrics = metrics;
    }

    /**
     * Applies a batch delivered by {@code from}.
     *
     * @param entries entries in per-origin version order
     * @return counts and the reason for each refused entry
     */
    public PushResponse receive(List<ChangeEntry> entries, PeerId from) {
        if (entries.isEmpty()) {
            return new PushResponse(0, 0, 0, 0, 0, List.of());
        }
        Map<String, Boolean> revoked = new HashMap<>();
        Map<String, Boolean> forked = new HashMap<>();
        NewOrigins newOrigins = new NewOrigins(from);
        List<ChangeEntry> admitted = new ArrayList<>(entries.size());
        List<PushResponse.Rejection> rejections = new ArrayList<>();
        for (ChangeEntry e : entries) {
            if (revoked.computeIfAbsent(e.origin(), refused::revoked)) {
                metrics.refusedHere(RejectionReason.REVOKED_ORIGIN);
                rejections.add(new PushResponse.Rejection(e.origin(), e.version(), RejectionReason.REVOKED_ORIGIN,
                        "device " + e.origin() + " is revoked here"));
            } else if (forked.computeIfAbsent(e.origin(), refused::forked)) {
                metrics.refusedHere(RejectionReason.FORKED_ORIGIN);
                rejections.add(new PushResponse.Rejection(e.origin(), e.version(), RejectionReason.FORKED_ORIGIN,
                        "device " + e.origin() + " signed two different entries with one version; its entries are"
                                + " refused until a person decides (GET /sync/forks)"));
            } else if (!newOrigins.admits(e.origin())) {
                metrics.refusedHere(RejectionReason.ORIGIN_LIMIT);
                rejections.add(new PushResponse.Rejection(e.origin(), e.version(), RejectionReason.ORIGIN_LIMIT,
                        from + " introduced " + maxIntroduced + " devices already (p2psync.devices.max-introduced);"
                                + " add " + e.origin() + " to accept its entries"));
            } else {
                admitted.add(e);
            }
        }
        int accepted = 0;
        int duplicates = 0;
        int conflicts = 0;
        int held = 0;
        Set<String> delivered = new LinkedHashSet<>();
        for (ApplyOutcome outcome : admitted.isEmpty() ? List.<ApplyOutcome>of() : applier.apply(admitted, from.toString())) {
            switch (outcome.result()) {
                case APPLIED, IGNORED_OLDER, STAGED -> accepted++;
                case CONFLICT -> {
                    accepted++;
                    conflicts++;
                }
                case DUPLICATE -> duplicates++;
                case HELD -> held++;
                case REJECTED -> {
                    RejectionReason reason = RejectionReason.of((RejectReason) outcome.reason());
                    metrics.refusedHere(reason);
                    rejections.add(new PushResponse.Rejection(outcome.entry().origin(), outcome.entry().version(),
                            reason, outcome.detail()));
                }
            }
            if (outcome.accepted() && outcome.result() != ApplyOutcome.Result.STAGED) {
                delivered.add(outcome.entry().origin()); // a staged entry is not checked yet: it introduces no one
            }
        }
        metrics.applied(accepted);
        introduceNewOrigins(delivered, from);
        if (!rejections.isEmpty()) {
            PushResponse.Rejection first = rejections.get(0);
            log.warn("Refused {} of {} entries delivered by {}; first: {}#{} {}: {}", rejections.size(), entries.size(),
                    from, first.origin(), first.version(), first.reason().code(), first.detail());
        }
        if (held > 0) {
            log.info("Held {} of {} entries delivered by {}: stored, waiting to apply (GET /sync/held)", held,
                    entries.size(), from);
        }
        return new PushResponse(accepted, duplicates, conflicts, held, rejections.size(), rejections);
    }

    /** The origins of one delivery not known here yet, admitted while the sender's share of them lasts. */
    private final class NewOrigins {
        private final PeerId from;
        private final Map<String, Boolean> admitted = new HashMap<>();
        private int introduced = -1;

        NewOrigins(PeerId from) {
            this.from = from;
        }

        boolean admits(String origin) {
            return admitted.computeIfAbsent(origin, o -> {
                PeerId id;
                try {
                    id = PeerId.parse(o);
                } catch (IllegalArgumentException notAPeerId) {
                    return true; // the applier rejects it: its signature cannot verify
                }
                if (id.equals(self) || id.equals(from) || devices.find(id).isPresent()) {
                    return true;
                }
                if (introduced < 0) {
                    introduced = devices.countIntroducedBy(from);
                }
                if (introduced >= maxIntroduced) {
                    return false;
                }
                introduced++;
                return true;
            });
        }
    }

    private void introduceNewOrigins(Set<String> origins, PeerId from) {
        for (String origin : origins) {
            PeerId id = PeerId.parse(origin); // stored, so its signature verified against this very id
            if (!id.equals(self) && !id.equals(from) && devices.introduce(id, from, clock.instant())) {
                log.info("Device {} introduced by {}: accepted entries it signed", id, from);
            }
        }
    }
}
