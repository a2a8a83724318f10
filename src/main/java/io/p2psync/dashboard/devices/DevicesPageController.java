package io.p2psync.dashboard.devices;

import io.p2psync.dashboard.DashboardProblem;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /dashboard/devices}: devices waiting for approval (Approve, optionally with their url, or Reject),
 * authorized ones (Revoke), revoked and introduced ones, and a form to add a device by id and url. Each action
 * is the same call {@code /devices} makes, and answers with the list again.
 */
@Controller
class DevicesPageController {

    static final String PATH = "/dashboard/devices";
    /** The same limits as {@code POST /devices}. */
    private static final int MAX_ID = 100;
    private static final int MAX_NAME = 100;
    private static final int MAX_URL = 2000;
    private static final Pattern URL = Pattern.compile("https?://[^\\s/?#]+(/[^\\s?#]*)?");
    /** What the page says after an action; the redirect names one of these, never free text. */
    private static final Map<String, String> DONE = Map.of(
            "added", "Device added and authorized.",
            "approved", "Device approved: it may sync with this one now.",
            "rejected", "Device rejected: its calls are refused from now on.",
            "revoked", "Device revoked: its calls and the entries it made are refused from now on.",
            "forgotten", "Device forgotten; if it calls again it is listed as pending.");

    private final DeviceRepository devices;
    private final PeerId self;
    private final Clock clock;

    DevicesPageController(DeviceRepository devices, DeviceIdentity identity, ObjectProvider<Clock> clock) {
        this.devices = devices;
        this.self = identity.deviceId();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @GetMapping(PATH)
    String list(@RequestParam(required = false) String done, Model model) {
        List<Device> all = devices.findAll();
        model.addAttribute("page", "devices");
        model.addAttribute("pending", having(all, DeviceStatus.PENDING));
        model.addAttribute("authorized", having(all, DeviceStatus.AUTHORIZED));
        model.addAttribute("others", all.stream()
                .filter(d -> d.status() == DeviceStatus.REVOKED || d.status() == DeviceStatus.INTRODUCED).toList());
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return "dashboard/devices";
    }

    /** Adds and authorizes a device, or authorizes a known one and sets its name and url. */
    @PostMapping(PATH)
    String add(@RequestParam String deviceId, @RequestParam(required = false) String name,
            @RequestParam(required = false) String url) {
        PeerId id = deviceId(deviceId.strip());
        devices.addAuthorized(id, name(name), url(url), clock.instant());
        return "redirect:" + PATH + "?done=added";
    }

    /** Authorizes a device that called in; with a url or a name, also sets them, so this device calls it too. */
    @PostMapping(PATH + "/{id}/approve")
    String approve(@PathVariable String id, @RequestParam(required = false) String name,
            @RequestParam(required = false) String url) {
        Device device = known(id);
        String newName = name(name);
        String newUrl = url(url);
        if (newName != null || newUrl != null) {
            devices.addAuthorized(device.deviceId(), newName != null ? newName : device.name(),
                    newUrl != null ? newUrl : device.url(), clock.instant());
        } else {
            devices.setStatus(device.deviceId(), DeviceStatus.AUTHORIZED);
        }
        return "redirect:" + PATH + "?done=approved";
    }

    @PostMapping(PATH + "/{id}/reject")
    String reject(@PathVariable String id) {
        devices.setStatus(known(id).deviceId(), DeviceStatus.REVOKED);
        return "redirect:" + PATH + "?done=rejected";
    }

    @PostMapping(PATH + "/{id}/revoke")
    String revoke(@PathVariable String id) {
        devices.setStatus(known(id).deviceId(), DeviceStatus.REVOKED);
        return "redirect:" + PATH + "?done=revoked";
    }

    @PostMapping(PATH + "/{id}/forget")
    String forget(@PathVariable String id) {
        devices.delete(known(id).deviceId());
        return "redirect:" + PATH + "?done=forgotten";
    }

    private static List<Device> having(List<Device> all, DeviceStatus status) {
        return all.stream().filter(d -> d.status() == status).toList();
    }

    private Device known(String id) {
        return devices.find(deviceId(id)).orElseThrow(() -> DashboardProblem.notFound("No device " + id
                + " is known here."));
    }

    private PeerId deviceId(String text) {
        if (text.isEmpty() || text.length() > MAX_ID) {
            throw DashboardProblem.badInput("A device id is a text of 1 to " + MAX_ID
                    + " characters, such as 12D3KooW…; nothing was added.");
        }
        PeerId id;
        try {
            id = PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw DashboardProblem.badInput("'" + text + "' is not a device id: " + e.getMessage()
                    + ". Nothing was changed.");
        }
        if (id.publicKey().isEmpty()) {
            throw DashboardProblem.badInput("'" + text + "' does not carry an Ed25519 key, so it is not a device id."
                    + " Nothing was changed.");
        }
        if (id.equals(self)) {
            throw DashboardProblem.badInput("That is this device's own id; a device cannot pair with itself.");
        }
        return id;
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        if (name.strip().length() > MAX_NAME) {
            throw DashboardProblem.badInput("A name has at most " + MAX_NAME + " characters. Nothing was changed.");
        }
        return name.strip();
    }

    /** The url without trailing slashes, or null if none was given. */
    private static String url(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String u = url.strip();
        if (u.length() > MAX_URL || !URL.matcher(u).matches()) {
            throw DashboardProblem.badInput("'" + u + "' is not an http(s) base url such as http://100.64.0.2:8080."
                    + " Nothing was changed.");
        }
        return u.replaceAll("/+$", "");
    }
}
