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
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.SyncManager;
import io.p2psync.sync.SyncSettings;
import io.p2psync.sync.SyncSource;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
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
    PullResponseBody pull(@RequestBody PullRequestBody body,
                          @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        PullRequest request = malformedAs400(() -> new PullRequest(body.known(), body.limit()));
        int limit = Math.min(request.limit() == null ? settings.pullPageSize() : request.limit(),
                settings.maxPullPageSize());
        PullResponse response = source.pull(request.vector(), limit);
        devices.recordSync(caller.device().deviceId(), clock.instant());
        return PullResponseBody.of(response.entries(), response.serverVector(), response.more());
    }

    @PostMapping("/sync/push")
    PushResponse push(@RequestBody PushRequestBody body,
                      @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        if (body.entries().size() > settings.maxPushEntries()) {
            throw SyncProblems.error(HttpStatus.PAYLOAD_TOO_LARGE, SyncProblems.TOO_MANY_ENTRIES, "Too many entries",
                    "a push may carry at most " + settings.maxPushEntries() + " entries, this one has "
                            + body.entries().size());
        }
        List<ChangeEntry> entries = malformedAs400(body::domainEntries);
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

    /** Converts a received body to domain records; a malformed field is the caller's 400, not our 500. */
    private static <T> T malformedAs400(java.util.function.Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            throw SyncProblems.error(HttpStatus.BAD_REQUEST, SyncProblems.MALFORMED_REQUEST, "Malformed request",
                    "the body is not a valid request: " + e.getMessage());
        }
    }

    private static Optional<PeerId> parsePeer(String text) {
        try {
            return Optional.of(PeerId.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
