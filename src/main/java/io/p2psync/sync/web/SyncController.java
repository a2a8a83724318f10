package io.p2psync.sync.web;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.devices.AuthenticatedDevice;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.PeerSyncResult;
import io.p2psync.sync.PullRequest;
import io.p2psync.sync.PullResponse;
import io.p2psync.sync.PushRequest;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.SyncManager;
import io.p2psync.sync.SyncSettings;
import io.p2psync.sync.SyncSource;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST sync protocol ({@code /sync/pull}, {@code /sync/push}; see docs/protocol.md), called by other
 * devices with signed requests, and {@code /sync/now}, the admin's trigger for a round.
 */
@RestController
class SyncController {

    private final SyncSource source;
    private final EntryReceiver receiver;
    private final SyncManager manager;
    private final DeviceRepository devices;
    private final SyncSettings settings;
    private final Clock clock;

    SyncController(SyncSource source, EntryReceiver receiver, SyncManager manager,
                   DeviceRepository devices, SyncSettings settings, ObjectProvider<Clock> clock) {
        this.source = source;
        this.receiver = receiver;
        this.manager = manager;
        this.devices = devices;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @PostMapping("/sync/pull")
    PullResponse pull(@RequestBody PullRequest request,
                      @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        int limit = Math.min(request.limit() == null ? settings.pullPageSize() : request.limit(),
                settings.maxPullPageSize());
        PullResponse response = source.pull(request.vector(), limit);
        devices.recordSync(caller.device().deviceId(), clock.instant());
        return response;
    }

    @PostMapping("/sync/push")
    PushResponse push(@RequestBody PushRequest request,
                      @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        List<ChangeEntry> entries = request.entries();
        if (entries.size() > settings.maxPushEntries()) {
            throw SyncProblems.error(HttpStatus.PAYLOAD_TOO_LARGE, SyncProblems.TOO_MANY_ENTRIES, "Too many entries",
                    "a push may carry at most " + settings.maxPushEntries() + " entries, this one has "
                            + entries.size());
        }
        PushResponse response = receiver.receive(entries, caller.device().deviceId());
        devices.recordSync(caller.device().deviceId(), clock.instant());
        return response;
    }

    /** Runs one round now with every authorized device that has a url, or with {@code peer} only. */
    @PostMapping("/sync/now")
    List<PeerSyncResult> now(@RequestParam(required = false) String peer) {
        if (peer == null) {
            return manager.syncAll();
        }
        Device target = parsePeer(peer)
                .flatMap(devices::find)
                .filter(d -> d.authorized() && d.url() != null)
                .orElseThrow(() -> SyncProblems.error(HttpStatus.NOT_FOUND, SyncProblems.NO_SUCH_PEER, "No such peer",
                        "no authorized device with a url has id " + peer));
        return List.of(manager.syncWith(target));
    }

    private static Optional<PeerId> parsePeer(String text) {
        try {
            return Optional.of(PeerId.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
