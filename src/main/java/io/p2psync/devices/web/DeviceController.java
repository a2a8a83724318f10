package io.p2psync.devices.web;

import io.p2psync.devices.AuthFailure;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /devices}: who this device syncs with. */
@RestController
@RequestMapping("/devices")
class DeviceController {

    static final URI UNKNOWN_DEVICE = URI.create(AuthFailure.PROBLEM_BASE + "no-such-device");
    static final URI INVALID_DEVICE_ID = URI.create(AuthFailure.PROBLEM_BASE + "invalid-device-id");

    private final DeviceRepository devices;
    private final PeerId self;
    private final Clock clock;

    DeviceController(DeviceRepository devices, DeviceIdentity identity, ObjectProvider<Clock> clock) {
        this.devices = devices;
        this.self = identity.deviceId();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @GetMapping
    List<DeviceView> list() {
        return devices.findAll().stream().map(DeviceView::of).toList();
    }

    /** Adds and authorizes a device (201), or authorizes a known one and updates its name and url (200). */
    @PostMapping
    ResponseEntity<DeviceView> add(@Valid @RequestBody AddDeviceRequest request) {
        PeerId id = parse(request.deviceId());
        if (id.equals(self)) {
            throw problem(HttpStatus.BAD_REQUEST, INVALID_DEVICE_ID, "Invalid device id",
                    "a device cannot pair with itself");
        }
        String url = request.url() == null ? null : request.url().replaceAll("/+$", "");
        boolean created = devices.addAuthorized(id, request.name(), url, clock.instant());
        DeviceView view = DeviceView.of(devices.find(id).orElseThrow());
        return created
                ? ResponseEntity.created(URI.create("/devices/" + id)).body(view)
                : ResponseEntity.ok(view);
    }

    @GetMapping("/{id}")
    DeviceView get(@PathVariable String id) {
        return devices.find(parse(id)).map(DeviceView::of).orElseThrow(() -> unknown(id));
    }

    @PostMapping("/{id}/authorize")
    DeviceView authorize(@PathVariable String id) {
        return setStatus(id, DeviceStatus.AUTHORIZED);
    }

    @PostMapping("/{id}/revoke")
    DeviceView revoke(@PathVariable String id) {
        return setStatus(id, DeviceStatus.REVOKED);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        if (!devices.delete(parse(id))) {
            throw unknown(id);
        }
        return ResponseEntity.noContent().build();
    }

    private DeviceView setStatus(String id, DeviceStatus status) {
        PeerId deviceId = parse(id);
        if (!devices.setStatus(deviceId, status)) {
            throw unknown(id);
        }
        return DeviceView.of(devices.find(deviceId).orElseThrow());
    }

    private static PeerId parse(String text) {
        try {
            PeerId id = PeerId.parse(text);
            if (id.publicKey().isEmpty()) {
                throw new IllegalArgumentException("the id does not carry an Ed25519 key");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw problem(HttpStatus.BAD_REQUEST, INVALID_DEVICE_ID, "Invalid device id",
                    "'" + text + "' is not an Ed25519 device id: " + e.getMessage());
        }
    }

    private static ErrorResponseException unknown(String id) {
        return problem(HttpStatus.NOT_FOUND, UNKNOWN_DEVICE, "No such device", "no device " + id + " is known here");
    }

    private static ErrorResponseException problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }
}
