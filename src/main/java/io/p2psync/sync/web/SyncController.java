package io.p2psync.sync.web;

import io.p2psync.devices.AuthenticatedDevice;
import io.p2psync.sync.PushResponse;
import io.p2psync.sync.SyncRefusal;
import io.p2psync.sync.SyncService;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST sync protocol ({@code /sync/pull}, {@code /sync/push}; see docs/protocol.md), called by other
 * devices with signed requests; {@link SyncService} serves them, as it serves the same requests over libp2p.
 * ({@code /sync/now}, the admin's trigger, runs rounds and so belongs to {@code peers}.)
 */
@RestController
class SyncController {

    private final SyncService service;

    SyncController(SyncService service) {
        this.service = service;
    }

    @PostMapping("/sync/pull")
    PullResponseBody pull(@RequestBody PullRequestBody body,
                          @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        try {
            return service.pull(body, caller.device().deviceId());
        } catch (SyncRefusal refusal) {
            throw SyncProblems.error(refusal);
        }
    }

    @PostMapping("/sync/push")
    PushResponse push(@RequestBody PushRequestBody body,
                      @RequestAttribute(AuthenticatedDevice.ATTRIBUTE) AuthenticatedDevice caller) {
        try {
            return service.push(body, caller.device().deviceId());
        } catch (SyncRefusal refusal) {
            throw SyncProblems.error(refusal);
        }
    }
}
