package io.p2psync.sync.web;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import io.p2psync.devices.AuthenticatedDevice;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.PeerProgress;
import io.p2psync.sync.PullRequest;
import io.p2psync.sync.PullResponse;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.SyncSettings;
import io.p2psync.sync.SyncSource;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST sync protocol ({@code /sync/pull}, {@code /sync/push}; see docs/protocol.md), called by other
 * devices with signed requests. What a caller shows it holds (the vector of its pull, the entries it pushes)
 * raises what this device knows it holds, so {@code GET /peers} does not wait for this device's next round
 * to see it. ({@code /sync/now}, the admin's trigger, runs rounds and so belongs to {@code peers}.)
 */
@RestController
class SyncController {

    private final SyncSource source;
    private final EntryReceiver receiver;
    private final PeerProgress progress;
    private final DeviceRepository devices;
    private final SyncSettings settings;
    private final Clock clock;

    SyncController(SyncSource source, EntryReceiver receiver, PeerProgress progress,
                   DeviceRepository devices, SyncSettings settings, ObjectProvider<Clock> clock) {
        this.source = source;
        this.receiver = receiver;
        this.progress = progress;
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
        PullResponse response = source.pullWithHeads(request.vector(), limit);
        progress.recordHeld(caller.device().deviceId().toString(), request.vector());
        devices.recordSync(caller.device().deviceId(), clock.instant());
        return PullResponseBody.of(response.entries(), response.serverVector(), response.more(), response.tooLarge(),
                response.serverHeads());
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
        // The caller holds what it pushed, and (versions have no gaps) everything before it of each origin.
        VersionVector pushed = VersionVector.EMPTY;
        for (ChangeEntry e : entries) {
            pushed = pushed.with(e.origin(), e.version());
        }
        progress.recordHeld(caller.device().deviceId().toString(), pushed);
        devices.recordSync(caller.device().deviceId(), clock.instant());
        return response;
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
}
