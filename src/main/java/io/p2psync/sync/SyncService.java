package io.p2psync.sync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * The serving side of the sync protocol, the same whichever way a request came: REST ({@code /sync/pull},
 * {@code /sync/push}, the caller known by its request signature) or a libp2p stream (the caller known by its
 * connection). The caller must already be known to be an authorized device. What a caller shows it holds (the
 * vector of its pull, the entries it pushes) raises what this device knows it holds, so {@code GET /peers}
 * does not wait for this device's next round to see it.
 */
@Service
public class SyncService {

    private final SyncSource source;
    private final EntryReceiver receiver;
    private final PeerProgress progress;
    private final DeviceRepository devices;
    private final SyncSettings settings;
    private final Clock clock;

    SyncService(SyncSource source, EntryReceiver receiver, PeerProgress progress, DeviceRepository devices,
                SyncSettings settings, ObjectProvider<Clock> clock) {
        this.source = source;
        this.receiver = receiver;
        this.progress = progress;
        this.devices = devices;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** @throws SyncRefusal if the request is malformed */
    public PullResponseBody pull(PullRequestBody body, PeerId caller) {
        PullRequest request = malformedAsRefusal(() -> new PullRequest(body.known(), body.limit()));
        int limit = Math.min(request.limit() == null ? settings.pullPageSize() : request.limit(),
                settings.maxPullPageSize());
        PullResponse response = source.pullWithHeads(request.vector(), limit);
        progress.recordHeld(caller.toString(), request.vector());
        devices.recordSync(caller, clock.instant());
        return PullResponseBody.of(response.entries(), response.serverVector(), response.more(), response.tooLarge(),
                response.serverHeads(), response.formerColumns());
    }

    /** @throws SyncRefusal if the push carries too many entries or is malformed */
    public PushResponse push(PushRequestBody body, PeerId caller) {
        if (body.entries().size() > settings.maxPushEntries()) {
            throw new SyncRefusal(413, SyncRefusal.TOO_MANY_ENTRIES, "Too many entries",
                    "a push may carry at most " + settings.maxPushEntries() + " entries, this one has "
                            + body.entries().size());
        }
        List<ChangeEntry> entries = malformedAsRefusal(body::domainEntries);
        PushResponse response = receiver.receive(entries, caller);
        // The caller holds what it pushed, and (versions have no gaps) everything before it of each origin.
        VersionVector pushed = VersionVector.EMPTY;
        for (ChangeEntry e : entries) {
            pushed = pushed.with(e.origin(), e.version());
        }
        progress.recordHeld(caller.toString(), pushed);
        devices.recordSync(caller, clock.instant());
        return response;
    }

    /** Converts a received body to domain records; a malformed field is the caller's fault (400), not ours. */
    private static <T> T malformedAsRefusal(Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            throw SyncRefusal.malformed("the body is not a valid request: " + e.getMessage());
        }
    }
}
